import ArgumentParser
import DocIntake
import Foundation
import Storage

/// `docintake transfer`: parses its arguments and runs `DataDirectoryTransfer`.
struct Transfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy an embedded installation (SQLite and blobs/ in a data directory) into PostgreSQL and an S3 bucket.",
        discussion: """
            Stop the server first: the data directory stays locked while the transfer runs. Every blob is verified \
            by SHA-256 as it is copied; ids, 受付番号, hashed tokens and times are kept. Run it again after an \
            interruption: what is already there is not copied twice. Start the new servers with \
            --pepper-file <data>/pepper (the old pepper), or no 秘密の番号 hash will match. See docs/transfer.md. \
            Exit status: 0 when everything was copied and verified, 1 when a blob failed verification or the \
            target held conflicting data (both named in the report), 75 when a server is using the data directory.
            """)

    @Option(help: "The data directory of the installation to move (its docintake.sqlite and blobs/).")
    var fromDataDir: String

    @OptionGroup var database: DatabaseOption
    @OptionGroup var blobStore: BlobStoreOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Print no progress on standard error.")
    var quiet = false

    func run() async throws {
        guard let url = try database.url() else {
            throw ValidationError("--database (or DOCINTAKE_DATABASE_URL) is required: the PostgreSQL database to copy into")
        }
        guard let location = try blobStore.location() else {
            throw ValidationError("--blob-store (or DOCINTAKE_BLOB_STORE) is required: the s3://BUCKET/PREFIX to copy the documents into")
        }
        var transfer = DataDirectoryTransfer(dataDirectory: fromDataDir, database: url, blobStore: location)
        if !quiet { transfer.onStep = { Self.progress($0) } }
        let report: TransferReport
        do {
            report = try await transfer.run()
        } catch let error as DataDirectoryTransferError {
            FileHandle.standardError.write(Data("docintake transfer: \(error)\n".utf8))
            if case .serverRunning = error { throw ExitCode(75) }
            throw ExitCode.failure
        } catch let error as TransferError {
            FileHandle.standardError.write(Data("docintake transfer: \(error)\n".utf8))
            if case .jobRunning = error { throw ExitCode(75) }
            throw ExitCode.failure
        }
        print(json ? report.json() : report.text(), terminator: "")
        throw ExitCode(report.exitCode)
    }

    /// Every hundredth blob and every table's pages, on standard error.
    static func progress(_ step: InstallationTransfer.Step) {
        let line: String? =
            switch step {
            case .blob(let done) where done % 100 == 0: "blobs: \(done) done"
            case .rows(let table, let done): "\(table.name): \(done) rows done"
            case .blob: nil
            }
        if let line { FileHandle.standardError.write(Data("docintake transfer: \(line)\n".utf8)) }
    }
}
