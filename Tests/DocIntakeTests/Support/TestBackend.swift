import Foundation
import PostgresTestSupport
import S3TestSupport
import Storage
import Synchronization

@testable import DocIntake

/// Which metadata store the end-to-end suites run on: SQLite in each data directory (the default),
/// or, with `DOCINTAKE_TEST_BACKEND=postgres`, a fresh PostgreSQL database per data directory in
/// the cluster the tests start themselves. CI runs the end-to-end suites both ways. Likewise the
/// blobs: in each data directory, or with `DOCINTAKE_TEST_BLOB_STORE=s3` in a fresh bucket per data
/// directory on the moto server the tests start.
enum TestBackend {
    static let isPostgres = ProcessInfo.processInfo.environment["DOCINTAKE_TEST_BACKEND"] == "postgres"
    static let usesS3 = ProcessInfo.processInfo.environment["DOCINTAKE_TEST_BLOB_STORE"] == "s3"
    /// Each data directory's bucket, with the AWS variables (endpoint, key) that reach its moto server.
    private static let blobStores = Mutex<[String: (location: BlobStoreLocation, environment: [String: String])]>([:])
    /// The URL (with its password) of each data directory's database, as a server is given it.
    private static let databases = Mutex<[String: String]>([:])
    private static let opened = Mutex<[String: Stores]>([:])

    /// The database that belongs with `dataDirectory`, made on first use; nil on SQLite.
    static func database(for dataDirectory: String) async throws -> DatabaseURL? {
        try await databaseText(for: dataDirectory).map(DatabaseURL.init)
    }

    /// `database(for:)` as text, for a server's `--database`.
    static func databaseText(for dataDirectory: String) async throws -> String? {
        if let known = databases.withLock({ $0[dataDirectory] }) { return known }
        guard isPostgres else { return nil }
        let fresh = try await freshDatabaseURL()
        return databases.withLock { databases in
            if let first = databases[dataDirectory] { return first }
            databases[dataDirectory] = fresh
            return fresh
        }
    }

    /// Makes `url` the database of `dataDirectory`, whichever backend the run uses.
    static func register(_ url: String, for dataDirectory: String) {
        databases.withLock { $0[dataDirectory] = url }
    }

    /// The bucket that belongs with `dataDirectory`, made on first use; nil for the directory store.
    static func blobStore(for dataDirectory: String) async throws -> BlobStoreLocation? {
        if let known = blobStores.withLock({ $0[dataDirectory] }) { return known.location }
        guard usesS3 else { return nil }
        let moto = try await MotoServer.shared()
        let bucket = try await moto.freshBucket().bucket
        return register(try BlobStoreLocation("s3://\(bucket)/docintake", pathStyle: true), environment: moto.environment, for: dataDirectory)
    }

    /// Makes `location` (reached with `environment`) the blob store of `dataDirectory`, unless it has one.
    @discardableResult
    static func register(_ location: BlobStoreLocation, environment: [String: String], for dataDirectory: String) -> BlobStoreLocation {
        blobStores.withLock { stores in
            if let first = stores[dataDirectory] { return first.location }
            stores[dataDirectory] = (location, environment)
            return location
        }
    }

    /// The AWS variables a process on `dataDirectory` needs to reach its bucket (none without one).
    static func environment(for dataDirectory: String?) -> [String: String] {
        dataDirectory.flatMap { directory in blobStores.withLock { $0[directory]?.environment } } ?? [:]
    }

    /// `environment(for:)` of the data directory `arguments` name with `--data-dir`.
    static func environment(forArguments arguments: [String]) -> [String: String] {
        guard let flag = arguments.firstIndex(of: "--data-dir"), flag + 1 < arguments.count else { return [:] }
        return environment(for: arguments[flag + 1])
    }

    /// `--database URL` and `--blob-store URL --s3-path-style` for a `docintake` process on
    /// `dataDirectory`, or nothing on the embedded default.
    static func arguments(for dataDirectory: String) async throws -> [String] {
        let database = try await databaseText(for: dataDirectory).map { ["--database", $0] } ?? []
        let blobs = try await blobStore(for: dataDirectory).map { ["--blob-store", $0.description, "--s3-path-style"] } ?? []
        return database + blobs
    }

    /// `--database URL` when `arguments` name (`--data-dir`) a data directory whose database is known
    /// and neither they nor `environment` name a database: the operator's commands of a test run
    /// against the same database as its server.
    static func registeredArguments(in arguments: [String], environment: [String: String]) -> [String] {
        guard let flag = arguments.firstIndex(of: "--data-dir"), flag + 1 < arguments.count else { return [] }
        let directory = arguments[flag + 1]
        var added: [String] = []
        if !arguments.contains("--database"), environment["DOCINTAKE_DATABASE_URL"] == nil,
            let url = databases.withLock({ $0[directory] })
        {
            added += ["--database", url]
        }
        if !arguments.contains("--blob-store"), environment["DOCINTAKE_BLOB_STORE"] == nil,
            let location = blobStores.withLock({ $0[directory]?.location })
        {
            added += ["--blob-store", location.description, "--s3-path-style"]
        }
        return added
    }

    /// The stores of `dataDirectory` as an operator's tool opens them: a new SQLite connection
    /// each time, or the one PostgreSQL store kept for the directory until `release(_:)`.
    static func stores(_ dataDirectory: String) async throws -> Stores {
        let url = try await database(for: dataDirectory)
        let blobStore = try await blobStore(for: dataDirectory)
        if url == nil, blobStore == nil { return try Stores(dataDirectory: dataDirectory) }
        if let open = opened.withLock({ $0[dataDirectory] }) { return open }
        let stores = try await Stores.open(
            dataDirectory: dataDirectory, database: url, blobStore: blobStore, environment: environment(for: dataDirectory))
        let loser: Stores? = opened.withLock { opened in
            if opened[dataDirectory] != nil { return stores }
            opened[dataDirectory] = stores
            return nil
        }
        if let loser {
            await loser.close()
            return try await self.stores(dataDirectory)
        }
        return stores
    }

    /// Closes what `stores(_:)` opened for `dataDirectory`.
    static func release(_ dataDirectory: String) async {
        if let stores = opened.withLock({ $0.removeValue(forKey: dataDirectory) }) { await stores.close() }
    }
}
