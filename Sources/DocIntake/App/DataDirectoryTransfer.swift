import Foundation
import Logging
import Storage

/// `docintake transfer`: moves the embedded installation in a data directory (its SQLite database
/// and `blobs/`) into a PostgreSQL database and an S3 bucket, holding the directory's `serve.lock`
/// throughout so that no server changes it meanwhile. The copying itself is `InstallationTransfer`'s.
///
/// The servers on the new stores must use the old pepper file (`--pepper-file <data>/pepper`):
/// the 秘密の番号 hashes are copied as they are, and mean nothing under another pepper.
public struct DataDirectoryTransfer: Sendable {
    /// The data directory being moved.
    public let dataDirectory: String
    /// The PostgreSQL database to copy into (migrated first).
    public let database: DatabaseURL
    /// The bucket (and prefix) to copy the blobs into.
    public let blobStore: BlobStoreLocation
    /// Where the S3 endpoint and credentials are read (`AWS_…`).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Where the stores log (the target database's and the bucket's clients).
    public var logger = Logger(label: "docintake.transfer")
    /// Reported each step; may throw to stop the run there (see `InstallationTransfer.Step`).
    public var onStep: @Sendable (InstallationTransfer.Step) throws -> Void = { _ in }

    /// A transfer of `dataDirectory` into `database` and `blobStore`.
    public init(dataDirectory: String, database: DatabaseURL, blobStore: BlobStoreLocation) {
        self.dataDirectory = dataDirectory
        self.database = database
        self.blobStore = blobStore
    }

    /// Takes the data directory's lock, opens the four stores (migrating the target database as a
    /// server would), copies, and closes them. Throws `DataDirectoryTransferError` when the
    /// directory is not an embedded installation or a server holds it, `TransferError` when the
    /// transfer must not start, and the stores' errors.
    public func run() async throws -> TransferReport {
        let databasePath = dataDirectory + "/docintake.sqlite"
        guard FileManager.default.fileExists(atPath: databasePath) else { throw DataDirectoryTransferError.noInstallation(dataDirectory) }
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(dataDirectory: dataDirectory)
        } catch DataDirectoryLockError.inUse {
            throw DataDirectoryTransferError.serverRunning(dataDirectory)
        }
        let source = try SQLiteMetadataStore(path: databasePath)
        let sourceBlobs = try FileBlobStore(root: dataDirectory)
        let targetBlobs = try await blobStore.open(dataDirectory: dataDirectory, environment: environment, logger: logger)
        let target: PostgresMetadataStore
        do {
            target = try await PostgresMetadataStore(url: database, logger: logger)
        } catch {
            await targetBlobs.shutdown()
            throw error
        }
        do {
            var report = try await InstallationTransfer(
                source: source, sourceBlobs: sourceBlobs, target: target, targetBlobs: targetBlobs, onStep: onStep
            ).run()
            let pepper = dataDirectory + "/pepper"
            report.pepperFile = FileManager.default.fileExists(atPath: pepper) ? pepper : nil
            await close(target, targetBlobs, lock)
            return report
        } catch {
            await close(target, targetBlobs, lock)
            throw error
        }
    }

    /// Closes the target's connections, then lets go of the data directory.
    private func close(_ target: PostgresMetadataStore, _ blobs: S3BlobStore, _ lock: DataDirectoryLock) async {
        await target.shutdown()
        await blobs.shutdown()
        withExtendedLifetime(lock) {}
    }
}

/// Why `docintake transfer` could not take the data directory.
public enum DataDirectoryTransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A server holds the directory's `serve.lock`.
    case serverRunning(String)
    /// No `docintake.sqlite` in the directory.
    case noInstallation(String)

    /// Japanese, then English: what is wrong and what to do.
    public var description: String {
        switch self {
        case .serverRunning(let directory):
            "データディレクトリ \(directory) は docintake サーバーが使用中です。サーバーを停止してから移行を実行してください。\n"
                + "A docintake server is using the data directory \(directory): stop it, then run the transfer."
        case .noInstallation(let directory):
            "\(directory) に docintake.sqlite がありません。移行元のデータディレクトリを --from-data-dir で指定してください。\n"
                + "There is no docintake.sqlite in \(directory): give the data directory to move with --from-data-dir."
        }
    }
}
