import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Metadata in a PostgreSQL database that several DocIntake servers share. Same contract as
/// `SQLiteMetadataStore`; where SQLite serialises every writer on its one write lock, this store
/// locks what each change depends on: the application's row (`SELECT … FOR UPDATE`) for status
/// changes, notice rows with `FOR UPDATE SKIP LOCKED` for delivery, a blob's row and an advisory lock
/// on its digest for collection against uploads, and one atomic upsert for job leases.
///
/// Open it with `init(url:logger:connectionTimeout:)`, which migrates the schema forward; call
/// `shutdown()` when done, which closes the pool and the notice listener.
public final class PostgresMetadataStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    let url: DatabaseURL
    /// How long an operation waits for a connection before it fails as `.unavailable`: the pool
    /// itself would keep retrying a database that is down for a minute.
    let connectionTimeout: Duration
    let queued: QueuedNoticeSignal
    private let running: Task<Void, Never>
    private let listening: Task<Void, Never>

    /// Connects to `url`, applies the migrations the database lacks (under an advisory lock, so that
    /// servers starting together migrate once) and starts listening for queued notices. Throws
    /// `.schemaTooNew` for a database a newer DocIntake migrated, `.unavailable` when the database
    /// does not answer within `connectionTimeout` (nil: the URL's `connect_timeout`, else 10 s).
    public convenience init(
        url: DatabaseURL, logger: Logger = Logger(label: "docintake.postgres"), connectionTimeout: Duration? = nil
    ) async throws {
        let connectionTimeout = connectionTimeout ?? url.connectTimeout ?? Self.defaultConnectionTimeout
        self.init(url: url, logger: logger, connectionTimeout: connectionTimeout, listening: true)
        do {
            _ = try await transaction { connection in try await PostgresMigrations.migrate(connection, logger: logger) }
        } catch {
            await shutdown()
            throw error
        }
        // So that a notice another server queues right after this one started wakes it.
        await queued.waitUntilListening(timeout: connectionTimeout)
    }

    /// How long a request waits for a connection when the URL names no `connect_timeout`.
    public static let defaultConnectionTimeout: Duration = .seconds(10)

    /// Applies the migrations the database at `url` lacks and returns their names (none when it is up
    /// to date): the `docintake migrate` command. Throws as `init` does.
    public static func migrate(url: DatabaseURL, logger: Logger) async throws -> [String] {
        let store = PostgresMetadataStore(
            url: url, logger: logger, connectionTimeout: url.connectTimeout ?? defaultConnectionTimeout, listening: false)
        do {
            let applied = try await store.transaction { connection in try await PostgresMigrations.migrate(connection, logger: logger) }
            await store.shutdown()
            return applied
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// A running pool, not migrated yet; listening for queued notices when asked.
    private init(url: DatabaseURL, logger: Logger, connectionTimeout: Duration, listening: Bool) {
        self.url = url
        self.logger = logger
        self.connectionTimeout = connectionTimeout
        let client = PostgresClient(configuration: Self.configuration(url, connectTimeout: connectionTimeout), backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
        let queued = QueuedNoticeSignal()
        self.queued = queued
        self.listening = listening ? Task { await queued.listen(client: client, logger: logger) } : Task {}
    }

    /// Closes the notice listener and the pool, waiting until both are done, or 5 s each: after a
    /// PostgreSQL restart the pool was seen never to end its run once cancelled (twice in eight
    /// cluster fault runs; postgres-nio issue 599 is alike), and a server must still stop. The store
    /// is unusable afterwards.
    public func shutdown() async {
        listening.cancel()
        if await !Self.wait(for: listening, atMost: .seconds(5)) {
            logger.warning("the PostgreSQL notice listener did not end within 5 s of shutdown; closing the pool regardless")
        }
        running.cancel()
        if await !Self.wait(for: running, atMost: .seconds(5)) {
            logger.warning("the PostgreSQL pool did not end within 5 s of shutdown; leaving it to the process's exit")
        }
    }

    /// Whether `task` ended within `limit`; it is left running when it did not.
    private static func wait(for task: Task<Void, Never>, atMost limit: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let resumeOnce = ResumeOnce(continuation)
            Task {
                await task.value
                resumeOnce(true)
            }
            Task {
                try? await Task.sleep(for: limit)
                resumeOnce(false)
            }
        }
    }

    /// The migrations applied to the database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await withConnection { connection in try await PostgresMigrations.appliedNames(connection, logger: self.logger) }
    }

    /// How long a session of this store may sit in an open transaction doing nothing.
    static let idleInTransactionTimeout = "60s"

    private static func configuration(_ url: DatabaseURL, connectTimeout: Duration) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch url.tlsMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = connectTimeout
        // A server that dies mid-transaction without closing its connection would hold its row
        // locks until the kernel's keep-alive gives up (hours); PostgreSQL ends such a session
        // after a minute instead, so another server's change waits no longer. Every transaction
        // here is short; the longest holds a blob's locks while its file is removed.
        configuration.options.additionalStartupParameters = [
            ("application_name", "docintake"), ("idle_in_transaction_session_timeout", Self.idleInTransactionTimeout),
        ]
        return configuration
    }

    // MARK: Running queries

    /// Runs `body` on a pooled connection, failing with `.unavailable` when none comes within
    /// `connectionTimeout`. Once `body` has started, the timeout no longer applies: it never cuts off
    /// a COMMIT, so no change that committed is reported as failed.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let gate = LeaseGate()
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        guard gate.enter() else { throw LeaseTimedOut() }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: self.connectionTimeout)
                    if gate.expire() { throw LeaseTimedOut() }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw LeaseTimedOut()
            }
        } catch {
            // Before the body ran, every failure is the pool's: refused, dropped, or its circuit
            // breaker open after a minute of failed attempts (an error of the pool's own module).
            if !gate.wasLeased, !(error is LeaseTimedOut) {
                throw MetadataStoreError.unavailable("PostgreSQL at \(url.endpoint) gave no connection (\(type(of: error)))")
            }
            throw mapped(error)
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED: each statement sees what committed before it).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(logger: self.logger) { connection in try await body(connection) }
        }
    }

    /// The rows of one query on a pooled connection.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await withConnection { connection in try await connection.rows(query, logger: self.logger) }
    }

    /// What a failure means to the caller: a constraint the contract names, or `.unavailable` for a
    /// database that cannot be reached (the reason names the server, never the password).
    func mapped(_ error: any Error) -> any Error {
        switch error {
        case is MetadataStoreError:
            return error
        case let error as PostgresTransactionError:
            guard let cause = error.closureError ?? error.commitError ?? error.beginError else { return error }
            return mapped(cause)
        case is LeaseTimedOut:
            return MetadataStoreError.unavailable("PostgreSQL at \(url.endpoint) gave no connection within \(connectionTimeout)")
        case let error as PSQLError:
            return mapped(error)
        case is IOError, is ChannelError:
            return MetadataStoreError.unavailable("PostgreSQL at \(url.endpoint) cannot be reached (\(type(of: error)))")
        default:
            return error
        }
    }

    private func mapped(_ error: PSQLError) -> any Error {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let constraint = error.serverInfo?[.constraintName] ?? ""
            switch state {
            case "23505" where constraint == "applications_receipt_number_unique":
                return MetadataStoreError.duplicateReceiptNumber
            case "23505" where constraint.hasPrefix("reviewers_"):
                return MetadataStoreError.duplicateReviewer
            case "53100":
                return MetadataStoreError.noSpace
            case _ where state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300":
                // Connection exceptions, a server shutting down or starting, too many connections.
                let message = error.serverInfo?[.message] ?? state
                return MetadataStoreError.unavailable("PostgreSQL at \(url.endpoint): \(message)")
            default:
                return error
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
            .sslUnsupported, .failedToAddSSLHandler:
            return MetadataStoreError.unavailable("PostgreSQL at \(url.endpoint): \(error.code)")
        default:
            return error
        }
    }

}

extension PostgresMetadataStore: StoreHealth {
    public func ping() async throws {
        _ = try await rows("SELECT 1")
    }
}

extension PostgresConnection {
    /// Every row of `query`.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs `query` for its effect, discarding any rows.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

/// Whether an operation's connection came in time: whichever of the lease and the timer comes
/// first decides, once.
private final class LeaseGate: Sendable {
    private enum State { case waiting, leased, expired }
    private let state = Mutex(State.waiting)

    /// Whether the connection came in time.
    var wasLeased: Bool { state.withLock { $0 == .leased } }

    /// The connection came: true unless the timer already gave up.
    func enter() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .leased
            return true
        }
    }

    /// The time is up: true unless the connection already came.
    func expire() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .expired
            return true
        }
    }
}

private struct LeaseTimedOut: Error {}

/// Resumes a continuation with the first answer given to it; later ones are dropped.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = Mutex(continuation) }

    func callAsFunction(_ answer: Bool) {
        continuation.withLock { pending in
            pending?.resume(returning: answer)
            pending = nil
        }
    }
}
