import ArgumentParser
import ReviewClient

/// `show`: one application in full.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an application: its fields, warnings, documents (current and superseded) and history."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The application's ID (the ID column of `list`) or its 受付番号.")
    var id: String

    @Flag(help: "Print JSON instead of a report.")
    var json = false

    func run() async throws {
        let application = try await connection.withClient { try await $0.application(id: id) }
        print(json ? try ReviewOutput.json(application) : ApplicationReport.render(application))
    }
}
