import ArgumentParser
import DocIntake
import Foundation

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete documents the retention policy no longer keeps, collect unreferenced blobs, sweep temp files.",
        discussion: """
            Applies every rule of the retention table; nothing under legal hold is touched. Safe to run while \
            the server is serving. --dry-run prints exactly what a run would do and changes nothing. \
            Exit status: 0 on success, 1 when any step failed.
            """)

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var rules: RetentionPolicyOptions

    @Flag(help: "Print what would be done; change nothing.")
    var dryRun = false

    @Option(
        help: ArgumentHelp(
            "Apply the rules as of this date (ISO 8601, e.g. 2031-04-01T00:00:00+09:00; a bare date means midnight Japan time).",
            discussion: "Grace periods are still measured against the real clock."))
    var now: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if let now, OperatorDate.parse(now) == nil { throw ValidationError("--now: not an ISO 8601 date: \(now)") }
    }

    func run() async throws {
        try await data.withStores { stores in
            let job = RetentionJob(blobs: stores.blobs, metadata: stores.metadata, policy: rules.policy, outboxDirectory: data.dataDir + "/outbox")
            let summary: RetentionSummary
            do {
                summary = try await job.run(now: now.flatMap(OperatorDate.parse), dryRun: dryRun, by: .person(OperatorIdentity.currentUser()))
            } catch let busy as JobBusy {
                FileHandle.standardError.write(Data("docintake retention: \(busy)\n".utf8))
                throw ExitCode(75)
            }
            print(json ? summary.json() : summary.text(), terminator: "")
            if !summary.succeeded { throw ExitCode.failure }
        }
    }
}
