import ArgumentParser
import Foundation
import ReviewClient

/// `decide`: approve, return or reject an application under review.
struct DecideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide an application under review: approve, return (差戻し) or reject (却下).",
        discussion: "A reason is required to return or reject; the applicant's notice includes it."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The application's ID (the ID column of `list`) or its 受付番号.")
    var id: String

    @Argument(help: ArgumentHelp("The decision.", valueName: "decision"))
    var decision: Decision

    @Option(help: "Why: required for return and reject, and sent to the applicant.")
    var reason: String?

    func validate() throws {
        if decision.needsReason, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason is required to \(decision.rawValue) an application.")
        }
    }

    func run() async throws {
        let application = try await connection.withClient { try await $0.decide(id: id, decision, reason: reason) }
        print(ReviewOutput.transition(application))
    }
}

/// `approve`, `return` or `reject` on the command line; the help lists them.
extension Decision: ExpressibleByArgument {}
