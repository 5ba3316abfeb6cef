import ArgumentParser
import ReviewClient

/// `list`: the review queue.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List applications, oldest first: by default those submitted or under review.",
        discussion: "Every page is fetched. The table is for people; --json prints an array for scripts."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(
        help: ArgumentHelp(
            "Statuses, comma-separated: submitted, under_review, approved, returned, rejected, withdrawn; or all.",
            valueName: "statuses"))
    var status: String?

    @Option(help: ArgumentHelp("Only the application with this 受付番号, whatever its status.", valueName: "receipt-number"))
    var receipt: String?

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run() async throws {
        let applications = try await connection.withClient { try await $0.applications(status: status, receiptNumber: receipt) }
        if json {
            print(try ReviewOutput.json(applications))
        } else if applications.isEmpty {
            print("No applications.")
        } else {
            print(ApplicationTable.render(applications))
        }
    }
}
