import DocIntakeAPI
import Foundation
import PostgresNIO
import PostgresTestSupport
import Synchronization
import Testing

@testable import Storage

/// A fresh database in the test cluster, `count` stores on it (each its own pool: as many
/// "servers"), and a connection of the test's own for holding locks in between.
struct PostgresWorld: Sendable {
    let url: String
    let stores: [PostgresMetadataStore]

    var a: PostgresMetadataStore { stores[0] }
    var b: PostgresMetadataStore { stores[1] }

    /// Runs `body` with `count` stores on a fresh database, shutting them down afterwards, also when it throws.
    static func with<T: Sendable>(stores count: Int = 2, _ body: (PostgresWorld) async throws -> T) async throws -> T {
        let url = try await freshDatabaseURL()
        var stores: [PostgresMetadataStore] = []
        for _ in 0..<count { stores.append(try await PostgresMetadataStore(url: DatabaseURL(url))) }
        let world = PostgresWorld(url: url, stores: stores)
        do {
            let result = try await body(world)
            for store in stores { await store.shutdown() }
            return result
        } catch {
            for store in stores { await store.shutdown() }
            throw error
        }
    }

    /// A transaction of the test's own on a connection of its own, open while `body` runs and
    /// committed after it: the other server, stopped at its critical point.
    func holding<T: Sendable>(_ statements: [PostgresQuery], _ body: () async throws -> T) async throws -> T {
        let connection = try await PostgresCluster.connect(url: url)
        do {
            try await connection.query("BEGIN", logger: Self.logger)
            for statement in statements { _ = try await connection.query(statement, logger: Self.logger).collect() }
            let result = try await body()
            try await connection.query("COMMIT", logger: Self.logger)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `statement` on a connection of its own (autocommit).
    func execute(_ statement: PostgresQuery) async throws -> [PostgresRow] {
        let connection = try await PostgresCluster.connect(url: url)
        defer { Task { try? await connection.close() } }
        return try await connection.query(statement, logger: Self.logger).collect()
    }

    /// Waits until some session of this database waits for a lock (`wait_event`: `transactionid`,
    /// `tuple`, `advisory`, …): the proof that a store stopped at the point the test holds, rather
    /// than a guess by sleeping. Fails the test after 10 s.
    func untilSomeoneWaits(for event: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        // Generous: it returns as soon as someone waits, and a loaded CI machine can take long to get there.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let waiting = try await execute(
                """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                    AND (\(event)::text IS NULL OR wait_event = \(event)::text)
                """)[0].decode(Int.self)
            if waiting > 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no session waited for a lock (\(event ?? "any")) within 60 s", sourceLocation: sourceLocation)
        throw PostgresTestError.noWaiter
    }

    static let logger = Logger(label: "docintake.tests.postgres")
}

enum PostgresTestError: Error { case noWaiter }

/// Whether a task has finished: the tests check that a store is still waiting at the held point.
final class Finished: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// Records for the tests, as intake would make them.
enum PostgresRecords {
    static let at = Date(timeIntervalSince1970: 1_796_000_000.123)

    static func application(id: String = UUID().uuidString, receipt: String? = nil, status: ApplicationStatus = .submitted) -> ApplicationRecord {
        var application = ApplicationRecord(
            id: id, receiptNumber: receipt ?? "2026\(UUID().uuidString.prefix(8))", status: status, institutionKind: .workplaceClinic,
            prefectureCode: "13", institutionCode: nil, institutionName: "テスト職域診療所", applicationKind: .new,
            termsAgreed: true, lineType: "1", customerIdType: .caf, customerId: "1234567890", fletsV6Confirmed: true,
            plannedStartMonth: "2027-04", plannedTestMonth: nil, secretNumberHash: "pbkdf2-sha256$1$x$y",
            certificateFeePayment: .invoice, contactEmail: "clinic@example.jp", accessTokenHash: "hash-\(id)",
            warnings: "[]", createdAt: at)
        application.status = status
        return application
    }

    static func document(of application: String, slot: DocumentSlot = .openingPermit, sha: String = sha("a"), at: Date = at) -> DocumentRecord {
        DocumentRecord(
            applicationId: application, slot: slot, blobSha256: sha, size: 10, originalFilename: "開設許可書.pdf",
            detectedType: "pdf", mimeType: "application/pdf", uploadedAt: at)
    }

    static func sha(_ character: Character) -> String { String(repeating: character, count: 64) }

    static func audit(_ application: String, _ action: String = "submit", at: Date = at) -> AuditEntry {
        AuditEntry(applicationId: application, at: at, actor: "applicant", action: action)
    }

    static func notice(_ application: String, kind: String = "submission", at: Date = at) -> OutboxMessage {
        OutboxMessage(applicationId: application, kind: kind, recipient: "clinic@example.jp", payload: "{}", createdAt: at)
    }

    /// Inserts a submitted application (with a notice when asked) through `store`.
    @discardableResult
    static func submit(_ store: PostgresMetadataStore, documents: [String] = [], notice: Bool = false) async throws -> ApplicationRecord {
        let application = application()
        try await store.insertApplication(
            application, documents: documents.map { document(of: application.id, sha: $0) }, audit: audit(application.id),
            notice: notice ? self.notice(application.id) : nil, releasing: nil)
        return application
    }
}
