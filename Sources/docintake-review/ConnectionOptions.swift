import ArgumentParser
import Foundation
import ReviewClient

/// `--server` and `--token`, shared by every command. Neither shows the environment's value as a
/// default in `--help`: the token must never be printed.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The DocIntake server's URL, e.g. https://docintake.example.jp (default: $DOCINTAKE_SERVER).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("A reviewer token, dir_… (default: $DOCINTAKE_TOKEN, which is safer than this option).", valueName: "token"))
    var token: String?

    /// Runs `body` with a client for these settings, the environment filling in what is missing.
    func withClient<T: Sendable>(_ body: (ReviewClient) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        guard let serverText = server ?? environment["DOCINTAKE_SERVER"], !serverText.isEmpty else {
            throw ReviewError.missingServer
        }
        let address = try ServerAddress(serverText)
        guard let tokenText = token ?? environment["DOCINTAKE_TOKEN"] else { throw ReviewError.missingToken }
        let bearer = try BearerToken(tokenText)
        if let warning = address.cleartextWarning { StandardError.write(warning + "\n") }
        return try await ReviewClient.withClient(server: address, token: bearer, body)
    }
}
