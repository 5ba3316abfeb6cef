import ArgumentParser
import DocIntake
import Foundation
import Scanner

struct Identify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge files by their content, as uploads are judged.",
        discussion: "Exit status: 0 when every file is accepted, 1 when any is rejected, 2 when a file cannot be read, 64 on a usage error.")

    @Flag(help: "One JSON object per line: file, accepted, type, mime, reason, message.")
    var json = false

    @Option(help: "Largest accepted document in bytes, as `serve` takes it (default 100 MiB). Env: DOCINTAKE_MAX_FILE_SIZE")
    var maxFileSize: Int64 = Environment.value("DOCINTAKE_MAX_FILE_SIZE").flatMap { Int64($0) } ?? DomainFacts.defaultMaxFileSize

    @OptionGroup(title: "Virus scan") var antivirus: AntivirusOptions

    @Argument(help: "Files to check.")
    var files: [String]

    func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
    }

    func run() async throws {
        let report = await IdentifyReport.make(
            files: files, scanner: DocumentScanner(), maxFileSize: maxFileSize,
            antivirus: try antivirus.client())
        print(json ? report.jsonLines() : report.table(), terminator: "")
        throw ExitCode(report.exitCode)
    }
}
