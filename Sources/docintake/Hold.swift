import ArgumentParser
import DocIntake
import Foundation

struct Hold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Legal holds: nothing of an application under hold is deleted by retention.",
        subcommands: [SetHold.self, Clear.self, List.self])

    struct SetHold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Put an application under legal hold (or change the reason of its hold).")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The application's id or 受付番号.") var id: String
        @Option(help: "Why, for the audit log.") var reason: String

        func run() async throws {
            let metadata = try await data.metadata()
            let resolved = try await ApplicationHandle.resolve(id, in: metadata) ?? id
            try await LegalHoldAdmin(metadata: metadata).set(
                applicationId: resolved, reason: reason, by: .person(OperatorIdentity.currentUser()))
            print("Application \(resolved) is under legal hold.")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift the legal hold on an application.")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The application's id or 受付番号.") var id: String

        func run() async throws {
            let metadata = try await data.metadata()
            let resolved = try await ApplicationHandle.resolve(id, in: metadata) ?? id
            try await LegalHoldAdmin(metadata: metadata).clear(applicationId: resolved, by: .person(OperatorIdentity.currentUser()))
            print("Legal hold on application \(resolved) lifted; retention applies again from the next run.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the standing legal holds.")
        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            let entries = try await LegalHoldAdmin(metadata: try await data.metadata()).list()
            func column(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
            let byWidth = max(entries.map(\.hold.setBy.count).max() ?? 0, 2)
            print(
                [column("ID", 36), column("RECEIPT", 15), column("STATUS", 12), column("SET AT (JST)", 25), column("BY", byWidth), "REASON"]
                    .joined(separator: "  "))
            for entry in entries {
                print(
                    [
                        column(entry.hold.applicationId, 36), column(entry.receiptNumber, 15), column(entry.status, 12),
                        column(OperatorDate.format(entry.hold.setAt), 25), column(entry.hold.setBy, byWidth), entry.hold.reason,
                    ].joined(separator: "  "))
            }
        }
    }
}
