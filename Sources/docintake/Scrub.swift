import ArgumentParser
import DocIntake
import Foundation

struct Scrub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash every blob; report corrupt blobs, missing blobs and orphan files.",
        discussion: """
            Changes nothing but the record of its run, which the server exports at /metrics \
            (docintake_scrub_corrupt_blobs, ..._missing_blobs, ..._orphan_files). \
            Exit status: 0 when the store is clean, 1 when anything is wrong, 75 when another scrub is running.
            """)

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "Files without a row younger than this many hours are not reported (an upload may be committing).")
    var graceHours: Double = RetentionPolicy.defaultGrace / 3600

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard graceHours >= 0, graceHours.isFinite else { throw ValidationError("--grace-hours cannot be negative") }
    }

    func run() async throws {
        try await data.withStores { stores in
            let report: ScrubReport
            do {
                report = try await ScrubJob(blobs: stores.blobs, metadata: stores.metadata, grace: graceHours * 3600)
                    .run(by: .person(OperatorIdentity.currentUser()))
            } catch let busy as JobBusy {
                FileHandle.standardError.write(Data("docintake scrub: \(busy)\n".utf8))
                throw ExitCode(75)
            }
            print(json ? report.json() : report.text(), terminator: "")
            throw ExitCode(report.exitCode)
        }
    }
}
