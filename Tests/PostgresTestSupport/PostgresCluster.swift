import Foundation
import Logging
import PostgresNIO
import ScriptSupport

/// A throwaway PostgreSQL cluster shared by every test of one test process: started on first use by
/// Tests/Support/postgres-cluster.sh (initdb in a temp directory, a free loopback port), and stopped
/// by that script when this process exits, also when it crashes. Each test takes a database of its
/// own from `freshDatabaseURL()`, so tests run in parallel without seeing each other's rows.
public final class PostgresCluster: Sendable {
    /// The superuser's URL, to the `postgres` database.
    public let adminURL: String
    /// The cluster's directory (data, socket, server.log).
    public let directory: String
    private let script: ServerScript

    private init(adminURL: String, directory: String, script: ServerScript) {
        self.adminURL = adminURL
        self.directory = directory
        self.script = script
    }

    /// The cluster of this test process, started on first call.
    public static func shared() async throws -> PostgresCluster {
        try await starter.cluster()
    }

    private static let starter = Starter()

    /// Creates an empty database with a unique name and returns its URL
    /// (`postgres://docintake:…@127.0.0.1:PORT/NAME`).
    /// A new, empty database on this cluster; `connectTimeout` (seconds) goes into its URL.
    public func freshDatabaseURL(connectTimeout: Int? = nil) async throws -> String {
        let name = "docintake_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withConnection(url: adminURL) { connection in
            // A name cannot be a bind parameter; this one is made of [a-z0-9_] above.
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger).collect()
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        if let connectTimeout { components.queryItems = [URLQueryItem(name: "connect_timeout", value: "\(connectTimeout)")] }
        return components.string!
    }

    /// A cluster of the caller's own, for a test that stops and starts the server (which would
    /// disturb the other tests on the shared one); `shutdown()` it at the end.
    public static func launch() async throws -> PostgresCluster {
        try await start()
    }

    /// Stops the server and removes its directory (the script's trap), waiting until that is done.
    public func shutdown() async {
        await script.terminate()
    }

    /// Stops the server (every connection is dropped) and waits until it is down.
    public func stopServer() async throws {
        try await script.command("stop", awaiting: "stopped")
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    public func startServer() async throws {
        try await script.command("start", awaiting: "started")
    }

    /// Opens one connection of its own to `url` (not pooled) for `body`, closed afterwards: the tests'
    /// second party, which holds a lock or a transaction open while a store works.
    @discardableResult
    public func withConnection<T: Sendable>(url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await Self.connect(url: url)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A connection of its own to `url`; the caller closes it.
    public static func connect(url: String) async throws -> PostgresConnection {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port,
            let user = components.user
        else { throw ClusterError("not a postgres:// URL") }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        // As freshDatabaseURL's connect_timeout: the first minute of a test run is crowded.
        configuration.options.connectTimeout = .seconds(60)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    static let logger = Logger(label: "docintake.tests.postgres")

    private actor Starter {
        private var started: Task<PostgresCluster, any Error>?

        func cluster() async throws -> PostgresCluster {
            if let started { return try await started.value }
            let task = Task { try await PostgresCluster.start() }
            started = task
            return try await task.value
        }
    }

    private static func start() async throws -> PostgresCluster {
        let script = try ServerScript.launch("postgres-cluster.sh")
        let directory = try await script.line(prefixed: "dir=")
        let url = try await script.line(prefixed: "url=")
        return PostgresCluster(adminURL: url, directory: directory, script: script)
    }
}

/// Creates an empty database in this test process's cluster (started on first use) and returns its URL.
public func freshDatabaseURL() async throws -> String {
    // A minute, not the default 10 s: when a test run starts, every suite starts its servers at once
    // (this cluster, moto, clamd, Chromium) on two cores, and connections can be that slow in CI.
    // The outage tests use clusters of their own, with the default.
    try await PostgresCluster.shared().freshDatabaseURL(connectTimeout: 60)
}

/// Why the cluster could not be used.
public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
