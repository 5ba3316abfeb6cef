import Foundation
import GRDB
import Testing

@testable import Storage

@Suite struct SQLiteMetadataStoreTests {
    static func application(id: String = UUID().uuidString, receipt: String = "20261126-ABCDEF") -> ApplicationRecord {
        ApplicationRecord(
            id: id, receiptNumber: receipt, status: .submitted, institutionKind: .workplaceClinic,
            prefectureCode: "13", institutionCode: nil, institutionName: "テスト職域診療所", applicationKind: .new,
            termsAgreed: true, lineType: "1", customerIdType: .caf, customerId: "1234567890", fletsV6Confirmed: true,
            plannedStartMonth: "2027-04", plannedTestMonth: nil, secretNumberHash: "pbkdf2-sha256$1$x$y",
            certificateFeePayment: .invoice, contactEmail: "clinic@example.jp", accessTokenHash: "hash",
            warnings: "[]", createdAt: Date())
    }

    static func document(of application: String, sha: String = String(repeating: "a", count: 64)) -> DocumentRecord {
        DocumentRecord(
            applicationId: application, slot: .openingPermit, blobSha256: sha, size: 10,
            originalFilename: "開設許可書.pdf", detectedType: "pdf", mimeType: "application/pdf", uploadedAt: Date())
    }

    @Test func theMigratorCreatesTheSchemaFromNothing() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteMetadataStore(path: dir.path + "/meta.sqlite")
        let tables = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["applications", "audit_log", "blobs", "documents", "outbox", "reviewers"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let journal = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        // A 201 promises the commit survives a power cut: the writer must sync every commit.
        let synchronous = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2, "PRAGMA synchronous should be FULL (2) on the writer")
        // Opening again is a no-op migration.
        _ = try SQLiteMetadataStore(path: dir.path + "/meta.sqlite")
    }

    @Test func anApplicationCommitsWithEverythingOrNothing() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteMetadataStore(path: dir.path + "/meta.sqlite")
        let app = Self.application()
        let audit = AuditEntry(applicationId: app.id, at: Date(), actor: "applicant", action: "submit")
        // Two current documents in one slot: the second breaks the unique index, after the
        // application, its first document and the blob rows were written in the same transaction.
        await #expect(throws: DatabaseError.self) {
            try await store.insertApplication(
                app, documents: [Self.document(of: app.id), Self.document(of: app.id, sha: String(repeating: "c", count: 64))],
                audit: audit, notice: nil, releasing: nil)
        }
        #expect(try await store.blobUsage().isEmpty)
        #expect(try await store.application(id: app.id) == nil)
        #expect(try await store.auditLog(applicationId: app.id).isEmpty)

        try await store.insertApplication(app, documents: [Self.document(of: app.id)], audit: audit, notice: nil, releasing: nil)
        #expect(try await store.application(id: app.id)?.institutionName == "テスト職域診療所")
        #expect(try await store.documents(applicationId: app.id).count == 1)
        #expect(try await store.auditLog(applicationId: app.id).map(\.action) == ["submit"])
    }

    /// A listing page's last resubmissions in one query: per application the last appended entry
    /// with the action (not the latest clock reading), only for the ids asked, none without one.
    @Test(arguments: Backend.allCases) func lastAuditIsTheLastAppendedEntryPerApplication(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let (twice, never, unasked) = (Self.application(), Self.application(receipt: "20261126-BCDEFG"), Self.application(receipt: "20261126-CDEFGH"))
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        for app in [twice, never, unasked] {
            try await store.insertApplication(
                app, documents: [], audit: AuditEntry(applicationId: app.id, at: start, actor: "applicant", action: "submit"),
                notice: nil, releasing: nil
            )
        }
        // The second resubmission carries an earlier clock reading: the last appended one still counts.
        for (app, at) in [(twice, start + 300), (twice, start + 200), (unasked, start + 400)] {
            try await store.appendAudit(AuditEntry(applicationId: app.id, at: at, actor: "applicant", action: "resubmit"))
        }
        try await store.appendAudit(AuditEntry(applicationId: never.id, at: start + 500, actor: "applicant", action: "correct"))
        let last = try await store.lastAudit(action: "resubmit", applicationIds: [twice.id, never.id])
        #expect(last == [twice.id: start + 200])
        await #expect(last[twice.id] == (try store.auditLog(applicationId: twice.id).last { $0.action == "resubmit" }?.at))
        #expect(try await store.lastAudit(action: "resubmit", applicationIds: []).isEmpty)
    }

    /// The SQLITE_FULL mapping behind every 507 of the metadata side: an injected full database
    /// at COMMIT is `.noSpace`, another result code is not, and nothing of either is written.
    @Test(arguments: [(MetadataFaults.sqliteFull, true), (ResultCode.SQLITE_IOERR.rawValue, false)])
    func aFullDatabaseIsNoSpaceAndWritesNothing(code: Int32, isNoSpace: Bool) async throws {
        let dir = try TemporaryDirectory()
        let app = Self.application()
        try await SQLiteMetadataStore(path: dir.path + "/meta.sqlite").insertApplication(
            app, documents: [], audit: AuditEntry(applicationId: app.id, at: Date(), actor: "applicant", action: "submit"),
            notice: nil, releasing: nil
        )
        let store = try SQLiteMetadataStore(path: dir.path + "/meta.sqlite", faults: MetadataFaults { code })
        let error = await #expect(throws: (any Error).self) {
            try await store.appendAudit(AuditEntry(applicationId: app.id, at: Date(), actor: "reviewer:sato", action: "download"))
        }
        #expect((error as? MetadataStoreError) == (isNoSpace ? .noSpace : nil), "\(String(describing: error))")
        #expect(try await store.auditLog(applicationId: app.id).map(\.action) == ["submit"])
    }

    @Test func theAuditLogIsAppendOnly() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteMetadataStore(path: dir.path + "/meta.sqlite")
        try await store.appendAudit(AuditEntry(applicationId: nil, at: Date(), actor: "system", action: "test"))
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'someone else'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
        }
    }

    @Test(arguments: Backend.allCases) func transitionsOnlyFromAllowedStatuses(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = Self.application()
        try await store.insertApplication(
            app, documents: [], audit: AuditEntry(applicationId: app.id, at: Date(), actor: "a", action: "submit"), notice: nil, releasing: nil
        )
        let claim = AuditEntry(applicationId: app.id, at: Date(), actor: "reviewer:sato", action: "claim")
        let moved = try await store.transition(applicationId: app.id, from: [.submitted], to: .underReview, audit: claim, notice: nil)
        #expect(moved.status == .underReview)
        await #expect(throws: MetadataStoreError.statusConflict(current: .underReview)) {
            try await store.transition(applicationId: app.id, from: [.submitted], to: .underReview, audit: claim, notice: nil)
        }
        let history = try await store.auditLog(applicationId: app.id)
        #expect(history.last?.fromStatus == .submitted && history.last?.toStatus == .underReview)
    }

    @Test(arguments: Backend.allCases) func replacingADocumentSupersedesThePreviousOne(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = Self.application()
        try await store.insertApplication(
            app, documents: [Self.document(of: app.id)],
            audit: AuditEntry(applicationId: app.id, at: Date(), actor: "a", action: "submit"), notice: nil, releasing: nil
        )
        let replacement = Self.document(of: app.id, sha: String(repeating: "b", count: 64))
        let audit = AuditEntry(applicationId: app.id, at: Date(), actor: "applicant", action: "replace_document")
        await #expect(throws: MetadataStoreError.statusConflict(current: .submitted)) {
            try await store.replaceDocument(replacement, allowedStatuses: [.returned], audit: audit, releasing: nil)
        }
        try await store.replaceDocument(replacement, allowedStatuses: [.submitted], audit: audit, releasing: nil)
        let documents = try await store.documents(applicationId: app.id)
        #expect(documents.count == 2)
        #expect(documents[0].supersededAt != nil && documents[1].supersededAt == nil)
        #expect(documents[1].blobSha256 == String(repeating: "b", count: 64))
    }

    @Test(arguments: Backend.allCases) func reviewersAreFoundByTokenHashUntilRevoked(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        try await store.addReviewer(ReviewerRecord(name: "sato", tokenHash: "h1", createdAt: Date()))
        await #expect(throws: MetadataStoreError.duplicateReviewer) {
            try await store.addReviewer(ReviewerRecord(name: "sato", tokenHash: "h2", createdAt: Date()))
        }
        #expect(try await store.activeReviewer(tokenHash: "h1")?.name == "sato")
        #expect(try await store.revokeReviewer(name: "sato", at: Date()))
        #expect(try await store.activeReviewer(tokenHash: "h1") == nil)
        #expect(try await store.revokeReviewer(name: "sato", at: Date()) == false)
    }

    @Test(arguments: Backend.allCases) func theCurrentDocumentAndThePageCountsIgnoreSupersededOnes(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let (one, two) = (Self.application(), Self.application(receipt: "20261126-DEFGHJ"))
        try await store.insertApplication(
            one, documents: [Self.document(of: one.id)], audit: AuditEntry(applicationId: one.id, at: Date(), actor: "a", action: "submit"),
            notice: nil, releasing: nil)
        try await store.insertApplication(
            two, documents: [], audit: AuditEntry(applicationId: two.id, at: Date(), actor: "a", action: "submit"), notice: nil,
            releasing: nil)
        let replacement = Self.document(of: one.id, sha: String(repeating: "d", count: 64))
        try await store.replaceDocument(
            replacement, allowedStatuses: [.submitted],
            audit: AuditEntry(applicationId: one.id, at: Date(), actor: "applicant", action: "replace_document"), releasing: nil)
        #expect(try await store.currentDocument(applicationId: one.id, slot: replacement.slot)?.blobSha256 == replacement.blobSha256)
        #expect(try await store.currentDocument(applicationId: one.id, slot: .openingNotification) == nil)
        #expect(try await store.currentDocumentCounts(applicationIds: [one.id, two.id, "nobody"]) == [one.id: 1])
        #expect(try await store.currentDocumentCounts(applicationIds: []).isEmpty)
    }
}
