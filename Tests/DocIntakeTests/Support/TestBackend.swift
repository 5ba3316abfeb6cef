import Foundation
import PostgresTestSupport
import Storage
import Synchronization

@testable import DocIntake

/// Which metadata store the end-to-end suites run on: SQLite in each data directory (the default),
/// or, with `DOCINTAKE_TEST_BACKEND=postgres`, a fresh PostgreSQL database per data directory in
/// the cluster the tests start themselves. CI runs the end-to-end suites both ways.
enum TestBackend {
    static let isPostgres = ProcessInfo.processInfo.environment["DOCINTAKE_TEST_BACKEND"] == "postgres"
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

    /// `--database URL` for a `docintake` process on `dataDirectory`, or nothing on SQLite.
    static func arguments(for dataDirectory: String) async throws -> [String] {
        try await databaseText(for: dataDirectory).map { ["--database", $0] } ?? []
    }

    /// `--database URL` when `arguments` name (`--data-dir`) a data directory whose database is known
    /// and neither they nor `environment` name a database: the operator's commands of a test run
    /// against the same database as its server.
    static func registeredArguments(in arguments: [String], environment: [String: String]) -> [String] {
        guard !arguments.contains("--database"), environment["DOCINTAKE_DATABASE_URL"] == nil,
            let flag = arguments.firstIndex(of: "--data-dir"), flag + 1 < arguments.count,
            let url = databases.withLock({ $0[arguments[flag + 1]] })
        else { return [] }
        return ["--database", url]
    }

    /// The stores of `dataDirectory` as an operator's tool opens them: a new SQLite connection
    /// each time, or the one PostgreSQL store kept for the directory until `release(_:)`.
    static func stores(_ dataDirectory: String) async throws -> Stores {
        guard let url = try await database(for: dataDirectory) else { return try Stores(dataDirectory: dataDirectory) }
        if let open = opened.withLock({ $0[dataDirectory] }) { return open }
        let stores = try await Stores.open(dataDirectory: dataDirectory, database: url)
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
