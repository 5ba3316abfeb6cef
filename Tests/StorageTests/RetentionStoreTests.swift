import Foundation
import GRDB
import Testing

@testable import Storage

/// The v2 schema and the store's retention operations: deletion records, holds, closing.
@Suite struct RetentionStoreTests {
    let pdf = Array("%PDF-1.4 開設届 %%EOF".utf8)
    let png = Array("PNG 開設許可書".utf8)

    @Test func v2AddsItsTablesAndAV1DatabaseMigratesForwardKeepingItsRows() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/meta.sqlite"
        // A database as the previous release left it: v1 only, with one application.
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteMetadataStore.migrator.migrate(pool, upTo: "v1")
            try await pool.write { db in try SQLiteMetadataStoreTests.application(id: "old").insert(db) }
        }
        let store = try SQLiteMetadataStore(path: path)
        #expect(try await store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
        #expect(try await store.application(id: "old") != nil)
        let tables = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table in ["legal_holds", "deletion_records", "job_runs", "job_leases"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func aDatabaseMigratedByANewerVersionIsRefused() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/meta.sqlite"
        let store = try SQLiteMetadataStore(path: path)
        try await store.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        #expect(throws: MetadataStoreError.schemaTooNew(unknownMigrations: ["v99"])) {
            _ = try SQLiteMetadataStore(path: path)
        }
    }

    @Test func expiringDeletesEveryDocumentRowWithARecordAndKeepsTheApplicationAndAudit() async throws {
        let fixture = try StoreFixture()
        let app = try await fixture.submit([.openingNotification: pdf, .openingPermit: png])
        // A replaced document: the superseded row must go too.
        let replacement = try fixture.seal(Array("PNG 2".utf8))
        try await fixture.placement.place([replacement], at: Date()) { reservation in
            try await fixture.metadata.replaceDocument(
                DocumentRecord(
                    applicationId: app.id, slot: .openingPermit, blobSha256: replacement.digest.hex, size: replacement.size,
                    originalFilename: "p2.png", detectedType: "png", mimeType: "image/png", uploadedAt: Date()),
                allowedStatuses: [.submitted], audit: AuditEntry(applicationId: app.id, at: Date(), actor: "applicant", action: "replace_document"),
                releasing: reservation)
        }
        try await fixture.move(app.id, to: .rejected)

        guard case .expired(let closed, let deleted) = try await fixture.expire(app, rule: "rejected") else {
            Issue.record("expected the documents to expire")
            return
        }
        #expect(!closed)
        #expect(deleted.count == 3)
        #expect(deleted.filter(\.wasSuperseded).count == 1)
        #expect(Set(deleted.map(\.rule)) == ["rejected"] && Set(deleted.map(\.operatorUser)) == ["tester"])
        #expect(try await fixture.metadata.documents(applicationId: app.id).isEmpty)
        #expect(try await fixture.metadata.deletionRecords(applicationId: app.id).map(\.documentId) == deleted.map(\.documentId))
        #expect(try await fixture.metadata.deletionRecords(applicationId: nil).map(\.sha256) == deleted.map(\.sha256))
        #expect(try await fixture.metadata.application(id: app.id)?.status == .rejected, "the application row stays")
        let history = try await fixture.metadata.auditLog(applicationId: app.id)
        #expect(history.map(\.action) == ["submit", "replace_document", "rejected", "delete_documents"])
        #expect(history.last?.actor == "operator:tester")
        // The rows go; the blobs are garbage collection's business.
        #expect(try await fixture.metadata.blobUsage().map(\.references) == [0, 0, 0])

        // The records themselves are append-only.
        #expect(throws: DatabaseError.self) {
            try fixture.metadata.pool.write { db in try db.execute(sql: "DELETE FROM deletion_records") }
        }
        #expect(throws: DatabaseError.self) {
            try fixture.metadata.pool.write { db in try db.execute(sql: "UPDATE deletion_records SET rule = 'x'") }
        }
    }

    @Test func closingAReturnedApplicationWithdrawsItInTheSameTransaction() async throws {
        let fixture = try StoreFixture()
        let app = try await fixture.submit([.openingPermit: png])
        try await fixture.move(app.id, to: .returned)
        guard case .expired(let closed, let deleted) = try await fixture.expire(app, rule: "returned", closingAs: .withdrawn) else {
            Issue.record("expected the application to close")
            return
        }
        #expect(closed && deleted.count == 1)
        let record = try #require(try await fixture.metadata.application(id: app.id))
        #expect(record.status == .withdrawn)
        let withdraw = try #require(try await fixture.metadata.auditLog(applicationId: app.id).first { $0.action == "withdraw" })
        #expect(withdraw.fromStatus == .returned && withdraw.toStatus == .withdrawn && withdraw.actor == "operator:tester")
    }

    @Test func anApplicationThatChangedOrIsHeldIsLeftAlone() async throws {
        let fixture = try StoreFixture()
        let app = try await fixture.submit([.openingPermit: png])
        let returned = try await fixture.move(app.id, to: .returned)
        let judged = DocumentExpiry(
            applicationId: app.id, expectedStatus: .returned, expectedStatusChangedAt: returned.statusChangedAt, rule: "returned",
            at: Date(), actor: "system", operatorUser: "docintake", closingStatus: .withdrawn, closingReason: "x")

        // Resubmitted after the job judged it, then returned again: a new status time.
        try await fixture.move(app.id, to: .submitted)
        #expect(try await fixture.metadata.expireDocuments(judged) == .changed(currentStatus: .submitted))
        let again = try await fixture.move(app.id, to: .returned, at: Date().addingTimeInterval(1))
        #expect(try await fixture.metadata.expireDocuments(judged) == .changed(currentStatus: .returned))

        var current = judged
        current.expectedStatusChangedAt = again.statusChangedAt
        try await fixture.metadata.setLegalHold(
            LegalHold(applicationId: app.id, reason: "訴訟対応", setAt: Date(), setBy: "operator:tester"),
            audit: AuditEntry(applicationId: app.id, at: Date(), actor: "operator:tester", action: "legal_hold_set", reason: "訴訟対応"))
        #expect(try await fixture.metadata.expireDocuments(current) == .held)
        #expect(try await fixture.metadata.documents(applicationId: app.id).count == 1)
        #expect(try await fixture.metadata.application(id: app.id)?.status == .returned)
        #expect(try await fixture.metadata.deletionRecords(applicationId: nil).isEmpty)
    }

    @Test func holdsAreSetReplacedListedAndCleared() async throws {
        let fixture = try StoreFixture()
        let a = try await fixture.submit([:])
        let b = try await fixture.submit([:])
        func audit(_ id: String, _ action: String) async -> AuditEntry {
            AuditEntry(applicationId: id, at: Date(), actor: "operator:tester", action: action)
        }
        try await fixture.metadata.setLegalHold(
            LegalHold(applicationId: a.id, reason: "one", setAt: Date(), setBy: "operator:tester"),
            audit: audit(a.id, "legal_hold_set"))
        try await fixture.metadata.setLegalHold(
            LegalHold(applicationId: b.id, reason: "two", setAt: Date(), setBy: "operator:tester"),
            audit: audit(b.id, "legal_hold_set"))
        try await fixture.metadata.setLegalHold(
            LegalHold(applicationId: a.id, reason: "one, amended", setAt: Date(), setBy: "operator:tester"),
            audit: audit(a.id, "legal_hold_set"))
        #expect(try await fixture.metadata.legalHolds().map(\.reason).sorted() == ["one, amended", "two"])
        #expect(try await fixture.metadata.clearLegalHold(applicationId: a.id, audit: audit(a.id, "legal_hold_clear")))
        #expect(try await fixture.metadata.clearLegalHold(applicationId: a.id, audit: audit(a.id, "legal_hold_clear")) == false)
        #expect(try await fixture.metadata.legalHolds().map(\.applicationId) == [b.id])
        #expect(
            try await fixture.metadata.auditLog(applicationId: a.id).map(\.action) == [
                "submit", "legal_hold_set", "legal_hold_set", "legal_hold_clear",
            ])
        await #expect(throws: MetadataStoreError.notFound) {
            try await fixture.metadata.setLegalHold(
                LegalHold(applicationId: "nope", reason: "x", setAt: Date(), setBy: "operator:tester"),
                audit: audit("nope", "legal_hold_set"))
        }
    }

    @Test func candidatesCarryTheirDocumentsAndHolds() async throws {
        let fixture = try StoreFixture()
        let held = try await fixture.submit([.openingPermit: png], at: Date(timeIntervalSinceNow: -20))
        let plain = try await fixture.submit([.openingPermit: pdf], at: Date(timeIntervalSinceNow: -10))
        _ = try await fixture.submit([:])
        try await fixture.move(held.id, to: .approved)
        try await fixture.move(plain.id, to: .rejected)
        try await fixture.metadata.setLegalHold(
            LegalHold(applicationId: held.id, reason: "r", setAt: Date(), setBy: "operator:t"),
            audit: AuditEntry(applicationId: held.id, at: Date(), actor: "operator:t", action: "legal_hold_set"))
        let candidates = try await fixture.metadata.retentionCandidates(statuses: [.approved, .rejected])
        #expect(candidates.map(\.application.id) == [held.id, plain.id])
        #expect(candidates.map { $0.documents.count } == [1, 1])
        #expect(candidates.map { $0.hold != nil } == [true, false])
    }
}
