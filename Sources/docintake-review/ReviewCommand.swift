import ArgumentParser
import Foundation
import ReviewClient

/// `docintake-review`: the reviewers' client of the DocIntake review API.
@main
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docintake-review",
        abstract: "Review DocIntake applications: list them, read one, download and verify its documents, claim it, decide it.",
        discussion: """
            Every command needs the server and a reviewer token: --server URL (or DOCINTAKE_SERVER) and \
            --token T (or DOCINTAKE_TOKEN), before or after the command's name. An application is named by its \
            ID or its 受付番号. Prefer DOCINTAKE_TOKEN: a command line is visible to other users \
            of the machine. The token is never printed.

            A typical review:
              export DOCINTAKE_SERVER=https://docintake.example.jp DOCINTAKE_TOKEN=dir_…
              docintake-review list
              docintake-review claim ID
              docintake-review download ID --output ~/review
              docintake-review decide ID approve

            Exit codes:
            \(ExitCause.helpText)
            """,
        subcommands: [ListCommand.self, ShowCommand.self, DownloadCommand.self, ClaimCommand.self, DecideCommand.self]
    )

    /// Replaces ArgumentParser's entry point to give every failure its documented exit code (a
    /// usage error is 2, not 64) and a one-paragraph message instead of a trace.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(connectionOptionsAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
        } catch {
            finish(error, usage: true)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            finish(error, usage: false)
        }
    }

    /// `docintake-review --server URL list` as well as `docintake-review list --server URL`: the
    /// connection options given before the subcommand are moved after it, where it reads them.
    static func connectionOptionsAfterSubcommand(_ arguments: [String]) -> [String] {
        var hoisted: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            let name = first.split(separator: "=", maxSplits: 1).first.map(String.init) ?? first
            guard name == "--server" || name == "--token" else { break }
            hoisted.append(first)
            rest = rest.dropFirst()
            if !first.contains("="), let value = rest.first {
                hoisted.append(value)
                rest = rest.dropFirst()
            }
        }
        guard !hoisted.isEmpty, let subcommand = rest.first else { return arguments }
        return [subcommand] + hoisted + rest.dropFirst()
    }

    private static func finish(_ error: any Error, usage: Bool) -> Never {
        switch error {
        case let error as ReviewError:
            StandardError.write("docintake-review: \(error.message)\n")
            terminate(error.exitCause.rawValue)
        case let code as ExitCode:
            terminate(code.rawValue)
        default:
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                terminate(ExitCause.success.rawValue)
            }
            if usage {
                StandardError.write(fullMessage(for: error) + "\n")
                terminate(ExitCause.usage.rawValue)
            }
            StandardError.write("docintake-review: unexpected error: \(error)\n")
            terminate(ExitCause.serverError.rawValue)
        }
    }
}

/// Outside the command type, where `exit` still means the C function (which flushes stdout).
private func terminate(_ code: Int32) -> Never {
    exit(code)
}
