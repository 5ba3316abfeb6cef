import ArgumentParser
import DocIntake
import Foundation
import Logging

struct Rescan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan the stored documents of undecided applications again with clamd's current signatures.",
        discussion: """
            A document a newer signature finds is quarantined: reviewers get 409 quarantined instead of its bytes, \
            and its application is returned to the applicant (差戻し, with a notice) to send a new file. \
            One rescan runs at a time across every server and command sharing the database. \
            Exit status: 0 when everything scanned clean, 1 when something was quarantined or could not be read, \
            75 when another rescan is running, 69 when clamd cannot scan.
            """)

    @OptionGroup var data: DataDirectoryOption

    @OptionGroup(title: "Virus scan") var antivirus: AntivirusOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard try antivirus.client() != nil else { throw ValidationError("rescan needs --clamd (or DOCINTAKE_CLAMD)") }
    }

    func run() async throws {
        guard let clamd = try antivirus.client() else { throw ExitCode.validationFailure }
        try await data.withStores { stores in
            let job = RescanJob(blobs: stores.blobs, metadata: stores.metadata, clamd: clamd)
            let report: RescanReport
            do {
                report = try await job.run(by: .person(OperatorIdentity.currentUser()), logger: Logger(label: "docintake.rescan"))
            } catch let error as RescanError where error.isAlreadyRunning {
                FileHandle.standardError.write(Data("docintake rescan: \(error)\n".utf8))
                throw ExitCode(75)
            } catch {
                FileHandle.standardError.write(Data("docintake rescan: nothing after this point was scanned: \(error)\n".utf8))
                throw ExitCode(69)
            }
            print(json ? report.json() : report.text(), terminator: "")
            throw ExitCode(report.exitCode)
        }
    }
}
