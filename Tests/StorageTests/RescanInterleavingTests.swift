import Foundation
import Storage
import Testing

/// The quarantine transaction against what can happen between a rescan's read and its write,
/// played in a fixed order rather than raced.
@Suite struct RescanInterleavingTests {
    typealias Fixture = SQLiteMetadataStoreTests

    func quarantine(_ document: Int64, of app: String) -> DocumentQuarantine {
        let at = Date()
        return DocumentQuarantine(
            applicationId: app,
            findings: [
                .init(
                    documentId: document,
                    audit: AuditEntry(
                        applicationId: app, at: at, actor: "system", action: "quarantine",
                        detail: #"{"signature":"X"}"#))
            ],
            returnFrom: [.submitted, .underReview, .returned], returnTo: .returned,
            returnAudit: AuditEntry(applicationId: app, at: at, actor: "system", action: "return", reason: "ウイルス"),
            notice: OutboxMessage(applicationId: app, kind: "return", recipient: "a@example.jp", payload: "{}", createdAt: at))
    }

    /// The rescan read document 1 and found it infected; the applicant replaced it before the
    /// quarantine committed. The replacement was scanned on its own way in: nothing is marked,
    /// the application is not returned, no notice goes out.
    @Test(arguments: Backend.allCases) func aDocumentReplacedBetweenTheScanAndTheQuarantineIsLeftAlone(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        var app = Fixture.application()
        app.status = .returned
        try await store.insertApplication(
            app, documents: [Fixture.document(of: app.id)],
            audit: AuditEntry(applicationId: app.id, at: Date(), actor: "a", action: "submit"), notice: nil, releasing: nil
        )
        let scanned = try #require(try await store.documents(applicationId: app.id).first?.id)

        try await store.replaceDocument(
            Fixture.document(of: app.id, sha: String(repeating: "b", count: 64)), allowedStatuses: [.returned],
            audit: AuditEntry(applicationId: app.id, at: Date(), actor: "applicant", action: "replace_document"), releasing: nil)
        let auditBefore = try await store.auditLog(applicationId: app.id).count

        let outcome = try await store.quarantine(quarantine(scanned, of: app.id))
        #expect(outcome == DocumentQuarantineOutcome(quarantined: [], returned: false))
        #expect(try await store.documents(applicationId: app.id).allSatisfy { $0.quarantinedAt == nil })
        #expect(try await store.auditLog(applicationId: app.id).count == auditBefore)
        #expect(try await store.notices(applicationId: app.id).isEmpty)
    }

    /// Two runs found the same document (the second after the first's lease ran out): the
    /// second marks nothing and returns nothing, so the applicant gets one notice.
    @Test(arguments: Backend.allCases) func aSecondQuarantineOfTheSameDocumentChangesNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = Fixture.application()
        try await store.insertApplication(
            app, documents: [Fixture.document(of: app.id)],
            audit: AuditEntry(applicationId: app.id, at: Date(), actor: "a", action: "submit"), notice: nil, releasing: nil
        )
        let document = try #require(try await store.documents(applicationId: app.id).first?.id)
        #expect(try await store.quarantine(quarantine(document, of: app.id)) == DocumentQuarantineOutcome(quarantined: [document], returned: true))
        #expect(try await store.application(id: app.id)?.status == .returned)
        #expect(try await store.quarantine(quarantine(document, of: app.id)) == DocumentQuarantineOutcome(quarantined: [], returned: false))
        #expect(try await store.notices(applicationId: app.id).count == 1)
    }

    /// A lease is one holder's until it runs out; its holder may renew it; release frees it.
    @Test(arguments: Backend.allCases) func aLeaseExcludesOthersUntilItRunsOutOrIsReleased(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let now = Date()
        #expect(try await store.acquireJobLease(job: "rescan", holder: "a", now: now, expiresAt: now.addingTimeInterval(60)))
        #expect(try await !store.acquireJobLease(job: "rescan", holder: "b", now: now.addingTimeInterval(59), expiresAt: now.addingTimeInterval(120)))
        #expect(try await store.acquireJobLease(job: "rescan", holder: "a", now: now.addingTimeInterval(30), expiresAt: now.addingTimeInterval(90)))
        await #expect(
            try !store.acquireJobLease(job: "rescan", holder: "b", now: now.addingTimeInterval(61), expiresAt: now.addingTimeInterval(120)),
            "renewed by its holder")
        #expect(try await store.acquireJobLease(job: "rescan", holder: "b", now: now.addingTimeInterval(91), expiresAt: now.addingTimeInterval(150)))
        try await store.releaseJobLease(job: "rescan", holder: "a")
        #expect(try await store.jobLease(job: "rescan")?.holder == "b", "a release by a former holder frees nothing")
        try await store.releaseJobLease(job: "rescan", holder: "b")
        #expect(try await store.jobLease(job: "rescan") == nil)
    }
}
