import DocIntakeAPI
import Foundation
import GRDB
import PostgresNIO
import Testing

@testable import Storage

/// The statuses, slots and kinds the records hold as typed values are stored as the very text the
/// columns held before they were typed (so old rows read and no migration was needed), and a text no
/// case names is refused when read rather than taken for some default. On both stores.
@Suite struct TypedColumnTests {
    /// An application whose typed fields each hold a case whose raw value is not its Swift name.
    static func application(id: String = UUID().uuidString) -> ApplicationRecord {
        var application = SQLiteMetadataStoreTests.application(id: id, receipt: "R-" + id)
        application.applicationKind = .change
        application.customerIdType = .cop
        application.certificateFeePayment = .deductFromFees
        return application
    }

    static func submission(of id: String) -> AuditEntry {
        AuditEntry(applicationId: id, at: Date(), actor: "applicant", action: "submit", toStatus: .submitted)
    }

    static func claim(of id: String) -> AuditEntry {
        AuditEntry(applicationId: id, at: Date(), actor: "reviewer:test", action: "claim")
    }

    /// The text the columns held before they were typed, as the form, the API and old rows spell it.
    static let applicationText = [
        "status": "under_review", "institution_kind": "workplace_clinic", "application_kind": "change",
        "customer_id_type": "COP", "certificate_fee_payment": "deduct_from_fees",
    ]

    /// The application, claimed, as read back through a store.
    static func expectTypedFieldsRead(_ read: ApplicationRecord?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(read?.status == .underReview, sourceLocation: sourceLocation)
        #expect(read?.institutionKind == .workplaceClinic, sourceLocation: sourceLocation)
        #expect(read?.applicationKind == .change, sourceLocation: sourceLocation)
        #expect(read?.customerIdType == .cop, sourceLocation: sourceLocation)
        #expect(read?.certificateFeePayment == .deductFromFees, sourceLocation: sourceLocation)
    }

    /// An application with one document, submitted then claimed, so that the audit log holds both
    /// typed statuses.
    static func claimedApplication(in store: some MetadataStore) async throws -> ApplicationRecord {
        let application = Self.application()
        let document = PostgresRecords.document(of: application.id, slot: .openingNotification)
        try await store.insertApplication(
            application, documents: [document], audit: Self.submission(of: application.id), notice: nil, releasing: nil)
        try await store.transition(
            applicationId: application.id, from: [.submitted], to: .underReview, audit: Self.claim(of: application.id), notice: nil)
        return application
    }

    @Test func typedFieldsAreStoredInSQLiteAsTheirOldText() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMetadataStore(path: directory.path + "/meta.sqlite")
        let application = try await Self.claimedApplication(in: store)
        let now = Date()
        try await store.insertUpload(
            UploadSessionRecord(
                idHash: "upload", slot: .openingPermit, length: 1, filename: "a.pdf", createdAt: now, expiresAt: now.addingTimeInterval(60)))

        let (row, slot, audit, upload) = try await store.pool.read { db in
            (
                try Row.fetchOne(
                    db, sql: "SELECT status, institutionKind, applicationKind, customerIdType, certificateFeePayment FROM applications"),
                try String.fetchOne(db, sql: "SELECT slot FROM documents"),
                try Row.fetchOne(db, sql: "SELECT fromStatus, toStatus FROM audit_log WHERE action = 'claim'"),
                try Row.fetchOne(db, sql: "SELECT slot, state FROM upload_sessions")
            )
        }
        let stored = try #require(row)
        func text(_ row: Row, _ column: String) -> String { (row[column] as String?) ?? "NULL" }
        let columns = [
            "status": "status", "institution_kind": "institutionKind", "application_kind": "applicationKind",
            "customer_id_type": "customerIdType", "certificate_fee_payment": "certificateFeePayment",
        ]
        #expect(columns.mapValues { text(stored, $0) } == Self.applicationText)
        #expect(slot == "opening_notification")
        let claimAudit = try #require(audit)
        #expect(text(claimAudit, "fromStatus") == "submitted" && text(claimAudit, "toStatus") == "under_review")
        let session = try #require(upload)
        #expect(text(session, "slot") == "opening_permit" && text(session, "state") == "receiving")
        // And back: the rows read as the records that were written.
        Self.expectTypedFieldsRead(try await store.application(id: application.id))
        #expect(try await store.documents(applicationId: application.id).map(\.slot) == [.openingNotification])
        #expect(try await store.upload(idHash: "upload")?.slot == .openingPermit)
    }

    @Test func anUnknownStatusOrSlotInSQLiteFailsToReadInsteadOfDefaulting() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMetadataStore(path: directory.path + "/meta.sqlite")
        let application = Self.application()
        try await store.insertApplication(
            application, documents: [SQLiteMetadataStoreTests.document(of: application.id)], audit: Self.submission(of: application.id),
            notice: nil, releasing: nil)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE applications SET status = 'on_hold'")
            try db.execute(sql: "UPDATE documents SET slot = 'passport'")
        }
        // GRDB's decoding error names the value it could not read.
        let status = await #expect(throws: RowDecodingError.self) { try await store.application(id: application.id) }
        #expect(String(describing: status).contains("on_hold"), "\(String(describing: status))")
        let slot = await #expect(throws: RowDecodingError.self) { try await store.documents(applicationId: application.id) }
        #expect(String(describing: slot).contains("passport"), "\(String(describing: slot))")
        await #expect(throws: RowDecodingError.self, "listed too") { try await store.applications(statuses: nil, after: nil, limit: 10) }
    }

    @Test func typedFieldsAreStoredInPostgreSQLAsTheirOldText() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let application = try await Self.claimedApplication(in: store)

            let row = try await world.execute(
                """
                SELECT status, institution_kind, application_kind, customer_id_type, certificate_fee_payment FROM applications
                """)[0]
            let c = ColumnReader(row)
            var text: [String: String] = [:]
            for column in Self.applicationText.keys { text[column] = try c[column, as: String?.self] ?? "NULL" }
            #expect(text == Self.applicationText)
            #expect(try await world.execute("SELECT slot FROM documents")[0].decode(String.self) == "opening_notification")
            let audit = try await world.execute("SELECT from_status, to_status FROM audit_log WHERE action = 'claim'")[0]
            let (from, to) = try audit.decode((String, String).self)
            #expect(from == "submitted" && to == "under_review")
            Self.expectTypedFieldsRead(try await store.application(id: application.id))
            #expect(try await store.documents(applicationId: application.id).map(\.slot) == [.openingNotification])
        }
    }

    @Test func anUnknownStatusOrSlotInPostgreSQLFailsToReadInsteadOfDefaulting() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let application = Self.application()
            try await store.insertApplication(
                application, documents: [PostgresRecords.document(of: application.id)], audit: Self.submission(of: application.id),
                notice: nil, releasing: nil)
            _ = try await world.execute("UPDATE applications SET status = 'on_hold'")
            _ = try await world.execute("UPDATE documents SET slot = 'passport'")
            await #expect(throws: MetadataStoreError.unknownValue(column: "status", value: "on_hold")) {
                try await store.application(id: application.id)
            }
            await #expect(throws: MetadataStoreError.unknownValue(column: "slot", value: "passport")) {
                try await store.documents(applicationId: application.id)
            }
        }
    }
}
