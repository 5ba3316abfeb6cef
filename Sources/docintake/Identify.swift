import ArgumentParser
import DocIntake
import Foundation
import Scanner

struct Identify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge files by their content, as uploads are judged.",
        discussion: "Exit status: 0 when every file is accepted, 1 when any is rejected, 2 when a file cannot be read, 64 on a usage error.")

    @Flag(help: "One JSON object per line: file, accepted, type, mime, reason, message.")
    var json = false

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        let report = IdentifyReport.make(files: files, scanner: DocumentScanner())
        print(json ? report.jsonLines() : report.table(), terminator: "")
        throw ExitCode(report.exitCode)
    }
}
