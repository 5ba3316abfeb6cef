import ArgumentParser
import Foundation
import ReviewClient

/// `download`: save an application's current documents, verified.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download an application's current documents into a directory, verifying each SHA-256.",
        discussion: """
            Each document is saved as <receipt number>_<slot>_<original name>, the name made safe for \
            any file system. It streams into <name>.part and is renamed only once its SHA-256 matches \
            the server's Repr-Digest/ETag, so a failed or corrupt download never leaves a file under \
            the final name. An interrupted download resumes from its .part file on the next run.

            For each saved document a line `<sha256>  <path>` goes to standard output (the format \
            `sha256sum -c` reads). A progress bar goes to standard error when it is a terminal.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The application's ID (the ID column of `list`) or its 受付番号.")
    var id: String

    @Option(help: ArgumentHelp("Only this document: opening_notification or opening_permit.", valueName: "slot"))
    var slot: String?

    @Option(help: ArgumentHelp("The directory to save into; created when missing.", valueName: "dir"))
    var output = "."

    func validate() throws {
        if let slot, !["opening_notification", "opening_permit"].contains(slot) {
            throw ValidationError("--slot must be opening_notification or opening_permit, not \"\(slot)\".")
        }
    }

    func run() async throws {
        do {
            // A new reviewer's first `--output ~/review` should just work.
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw ReviewError.fileSystem(
                operation: "create the output directory", path: output,
                errno: Int32((error as NSError).code == NSFileWriteNoPermissionError ? EACCES : EEXIST))
        }
        try await connection.withClient { client in
            let downloader = try DocumentDownloader(client: client, directory: output, showProgress: StandardError.isTerminal)
            let application = try await client.application(id: id)
            let documents = try downloader.documents(of: application, slot: slot)
            if documents.isEmpty {
                StandardError.write("this application has no current documents.\n")
            }
            // An integrity failure of one document should not cost the reviewer the other one.
            var firstFailure: ReviewError?
            for document in documents {
                do {
                    print(try await downloader.download(document, of: application).checksumLine)
                } catch let error as ReviewError where error.exitCause == .integrityFailure {
                    StandardError.write("docintake-review: \(error.message)\n")
                    firstFailure = firstFailure ?? error
                }
            }
            if let firstFailure { throw ExitCode(firstFailure.exitCause.rawValue) }
        }
    }
}
