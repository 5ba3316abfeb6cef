import ArgumentParser
import ReviewClient

/// `claim`: take an application for review.
struct ClaimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Take a submitted application for review (submitted → under_review)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The application's ID (the ID column of `list`) or its 受付番号.")
    var id: String

    func run() async throws {
        let application = try await connection.withClient { try await $0.claim(id: id) }
        print(ReviewOutput.transition(application))
    }
}
