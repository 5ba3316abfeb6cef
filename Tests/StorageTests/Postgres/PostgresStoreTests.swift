import DocIntakeAPI
import Foundation
import PostgresNIO
import PostgresTestSupport
import Testing

@testable import Storage

/// What each seam of `PostgresMetadataStore` keeps, as the SQLite store's tests check it there:
/// values round-trip (times to the millisecond), orders and filters hold, refusals are typed.
@Suite struct PostgresStoreTests {
    @Test func anApplicationRoundTripsWithItsDocumentsAuditAndNotice() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            var application = PostgresRecords.application()
            application.institutionCode = "1234567"
            application.plannedTestMonth = "2027-03"
            application.createdAt = Date(timeIntervalSince1970: 1_796_000_000.5)
            application.updatedAt = application.createdAt
            application.statusChangedAt = application.createdAt
            let documents = [
                PostgresRecords.document(of: application.id, slot: .openingNotification, sha: PostgresRecords.sha("1")),
                PostgresRecords.document(of: application.id, slot: .openingPermit, sha: PostgresRecords.sha("2")),
            ]
            let reservation = BlobReservation(expiresAt: PostgresRecords.at.addingTimeInterval(600))
            try await store.reserveBlobs(
                documents.map { BlobRecord(sha256: $0.blobSha256, size: $0.size, createdAt: $0.uploadedAt) }, reservation: reservation)
            #expect(try await world.execute("SELECT count(*) FROM blob_reservations")[0].decode(Int.self) == 2)
            try await store.insertApplication(
                application, documents: documents, audit: PostgresRecords.audit(application.id),
                notice: PostgresRecords.notice(application.id), releasing: reservation)
            // The commit released the upload's claim: the documents protect the blobs now.
            #expect(try await world.execute("SELECT count(*) FROM blob_reservations")[0].decode(Int.self) == 0)
            #expect(try await store.application(id: application.id) == application)
            #expect(try await store.application(id: "nobody") == nil)
            #expect(try await store.applicationId(receiptNumber: application.receiptNumber) == application.id)
            let stored = try await store.documents(applicationId: application.id)
            #expect(stored.map(\.slot) == [.openingNotification, .openingPermit])
            #expect(stored.allSatisfy { $0.id != nil && $0.uploadedAt == PostgresRecords.at && $0.supersededAt == nil })
            #expect(try await store.currentDocument(applicationId: application.id, slot: .openingPermit)?.blobSha256 == PostgresRecords.sha("2"))
            let audit = try await store.auditLog(applicationId: application.id)
            #expect(audit.map(\.action) == ["submit"])
            let notices = try await store.notices(applicationId: application.id)
            #expect(notices.map(\.eventKey) == ["submission:audit:\(audit[0].id!)"])
            #expect(try await store.storedBlobBytes() == 20)
            #expect(try await store.blobUsage().map(\.references) == [1, 1])
            #expect(try await store.currentDocumentCounts(applicationIds: [application.id, "other"]) == [application.id: 2])
            try await store.ping()
        }
    }

    /// A server that died mid-transaction with its connection left open does not hold its locks for
    /// hours: the store's sessions are ended by PostgreSQL after a minute idle in a transaction.
    @Test func theStoresSessionsDoNotOutliveAnIdleTransactionForLong() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let settings = try await world.a.rows(
                "SELECT current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('application_name') AS name")
            let c = ColumnReader(settings[0])
            #expect(try c["idle", as: String.self] == "1min")
            #expect(try c["name", as: String.self] == "docintake")
        }
    }

    @Test func aReplacementSupersedesOnlyFromAllowedStatuses() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let application = try await PostgresRecords.submit(store, documents: [PostgresRecords.sha("1")])
            let later = PostgresRecords.at.addingTimeInterval(60)
            let replacement = PostgresRecords.document(of: application.id, sha: PostgresRecords.sha("3"), at: later)
            await #expect(throws: MetadataStoreError.statusConflict(current: .submitted)) {
                try await store.replaceDocument(
                    replacement, allowedStatuses: [.returned], audit: PostgresRecords.audit(application.id, "replace_document"),
                    releasing: nil)
            }
            let reservation = BlobReservation(expiresAt: later.addingTimeInterval(600))
            try await store.reserveBlobs([BlobRecord(sha256: PostgresRecords.sha("3"), size: 10, createdAt: later)], reservation: reservation)
            try await store.replaceDocument(
                replacement, allowedStatuses: [.submitted], audit: PostgresRecords.audit(application.id, "replace_document", at: later),
                releasing: reservation)
            let documents = try await store.documents(applicationId: application.id)
            #expect(documents.map(\.blobSha256) == [PostgresRecords.sha("1"), PostgresRecords.sha("3")])
            #expect(documents[0].supersededAt == later)
            #expect(try await store.currentDocument(applicationId: application.id, slot: .openingPermit)?.blobSha256 == PostgresRecords.sha("3"))
            #expect(try await store.application(id: application.id)?.updatedAt == later)
            #expect(try await world.execute("SELECT count(*) FROM blob_reservations")[0].decode(Int.self) == 0)
            await #expect(throws: MetadataStoreError.notFound) {
                try await store.replaceDocument(
                    PostgresRecords.document(of: "nobody"), allowedStatuses: [.submitted], audit: PostgresRecords.audit("nobody"),
                    releasing: nil)
            }
        }
    }

    @Test func correctionsChangeOnlyTheFormFields() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let application = try await PostgresRecords.submit(store)
            var corrected = application
            corrected.institutionName = "訂正後の診療所"
            corrected.contactEmail = "new@example.jp"
            corrected.status = .approved
            corrected.secretNumberHash = "forged"
            let at = PostgresRecords.at.addingTimeInterval(120)
            try await store.correctFields(corrected, allowedStatuses: [.submitted], audit: PostgresRecords.audit(application.id, "correct", at: at))
            let stored = try #require(try await store.application(id: application.id))
            #expect(stored.institutionName == "訂正後の診療所" && stored.contactEmail == "new@example.jp")
            #expect(stored.status == .submitted && stored.secretNumberHash == application.secretNumberHash)
            #expect(stored.updatedAt == at && stored.statusChangedAt == application.statusChangedAt)
            await #expect(throws: MetadataStoreError.statusConflict(current: .submitted)) {
                try await store.correctFields(corrected, allowedStatuses: [.returned], audit: PostgresRecords.audit(application.id, "correct"))
            }
            try await store.replaceAccessToken(
                applicationId: application.id, tokenHash: "fresh", audit: PostgresRecords.audit(application.id, "link"))
            #expect(try await store.application(id: application.id)?.accessTokenHash == "fresh")
            await #expect(throws: MetadataStoreError.notFound) {
                try await store.replaceAccessToken(applicationId: "nobody", tokenHash: "x", audit: PostgresRecords.audit("nobody"))
            }
        }
    }

    @Test func transitionsRecordBothStatusesAndListingsPageInReceiptOrder() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await PostgresRecords.submit(store).id) }
            let at = PostgresRecords.at.addingTimeInterval(300)
            let moved = try await store.transition(
                applicationId: ids[1], from: [.submitted], to: .underReview, audit: PostgresRecords.audit(ids[1], "claim", at: at),
                notice: nil)
            #expect(moved.status == .underReview && moved.statusChangedAt == at)
            #expect(try await store.application(id: ids[1]) == moved)
            let audit = try await store.auditLog(applicationId: ids[1]).last
            #expect(audit?.fromStatus == .submitted && audit?.toStatus == .underReview)
            await #expect(throws: MetadataStoreError.notFound) {
                try await store.transition(
                    applicationId: "nobody", from: [.submitted], to: .underReview, audit: PostgresRecords.audit("nobody"), notice: nil)
            }
            var seen: [String] = []
            var after: Int64?
            while true {
                let page = try await store.applications(statuses: [.submitted], after: after, limit: 2)
                if page.isEmpty { break }
                seen += page.map(\.record.id)
                after = page.last?.position
            }
            #expect(seen == ids.filter { $0 != ids[1] })
            #expect(try await store.applications(statuses: nil, after: nil, limit: 10).map(\.record.id) == ids)
            #expect(try await store.applications(statuses: [.underReview], after: nil, limit: 10).map(\.record.id) == [ids[1]])
            try await store.appendAudit(PostgresRecords.audit(ids[0], "resubmit", at: at.addingTimeInterval(10)))
            try await store.appendAudit(PostgresRecords.audit(ids[0], "resubmit", at: at))
            #expect(try await store.lastAudit(action: "resubmit", applicationIds: [ids[0], ids[2]]) == [ids[0]: at])
            #expect(try await store.lastAudit(action: "resubmit", applicationIds: []) == [:])
        }
    }

    @Test func quarantineMarksCurrentDocumentsAndReturnsTheApplicationOnce() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let application = try await PostgresRecords.submit(store, documents: [PostgresRecords.sha("9")])
            let document = try #require(try await store.documents(applicationId: application.id).first?.id)
            let at = PostgresRecords.at.addingTimeInterval(30)
            let quarantine = DocumentQuarantine(
                applicationId: application.id,
                findings: [.init(documentId: document, audit: PostgresRecords.audit(application.id, "quarantine", at: at))],
                returnFrom: [.submitted], returnTo: .returned, returnAudit: PostgresRecords.audit(application.id, "return", at: at),
                notice: PostgresRecords.notice(application.id, kind: "return", at: at))
            #expect(try await store.quarantine(quarantine) == DocumentQuarantineOutcome(quarantined: [document], returned: true))
            #expect(try await store.quarantine(quarantine) == DocumentQuarantineOutcome(quarantined: [], returned: false))
            #expect(try await store.documents(applicationId: application.id).first?.quarantinedAt == at)
            #expect(try await store.application(id: application.id)?.status == .returned)
            #expect(try await store.notices(applicationId: application.id).map(\.kind) == ["return"])
        }
    }

    @Test func reviewersAreUniqueByNameAndFoundByTokenUntilRevoked() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            try await store.addReviewer(ReviewerRecord(name: "suzuki", tokenHash: "t1", createdAt: PostgresRecords.at))
            try await store.addReviewer(ReviewerRecord(name: "Sato", tokenHash: "t2", createdAt: PostgresRecords.at))
            await #expect(throws: MetadataStoreError.duplicateReviewer) {
                try await store.addReviewer(ReviewerRecord(name: "suzuki", tokenHash: "t3", createdAt: PostgresRecords.at))
            }
            #expect(try await store.reviewers().map(\.name) == ["Sato", "suzuki"])
            #expect(try await store.activeReviewer(tokenHash: "t1")?.name == "suzuki")
            #expect(try await store.revokeReviewer(name: "suzuki", at: PostgresRecords.at))
            #expect(try await !store.revokeReviewer(name: "suzuki", at: PostgresRecords.at))
            #expect(try await store.activeReviewer(tokenHash: "t1") == nil)
            #expect(try await store.reviewers().first { $0.name == "suzuki" }?.revokedAt == PostgresRecords.at)
        }
    }

    @Test func retentionDeletesWithRecordsUnlessHeldOrChanged() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let kept = try await PostgresRecords.submit(store, documents: [PostgresRecords.sha("4")])
            let expired = try await PostgresRecords.submit(store, documents: [PostgresRecords.sha("5")])
            let candidates = try await store.retentionCandidates(statuses: [.submitted])
            #expect(candidates.map(\.application.id).sorted() == [kept.id, expired.id].sorted())
            #expect(candidates.allSatisfy { $0.documents.count == 1 && $0.hold == nil })
            let hold = LegalHold(applicationId: kept.id, reason: "訴訟", setAt: PostgresRecords.at, setBy: "operator:root")
            try await store.setLegalHold(hold, audit: PostgresRecords.audit(kept.id, "hold"))
            #expect(try await store.legalHolds() == [hold])
            #expect(try await store.retentionCandidates(statuses: [.submitted]).first { $0.application.id == kept.id }?.hold == hold)
            let at = PostgresRecords.at.addingTimeInterval(86400)
            func expiry(_ application: ApplicationRecord, changedAt: Date? = nil) -> DocumentExpiry {
                DocumentExpiry(
                    applicationId: application.id, expectedStatus: .submitted,
                    expectedStatusChangedAt: changedAt ?? application.statusChangedAt, rule: "submitted", at: at, actor: "system",
                    operatorUser: "docintake", closingStatus: .withdrawn, closingReason: "expired")
            }
            #expect(try await store.expireDocuments(expiry(kept)) == .held)
            #expect(try await store.expireDocuments(expiry(expired, changedAt: at)) == .changed(currentStatus: .submitted))
            guard case .expired(closed: true, let deleted) = try await store.expireDocuments(expiry(expired)) else {
                Issue.record("not expired")
                return
            }
            #expect(deleted.map(\.sha256) == [PostgresRecords.sha("5")])
            #expect(try await store.deletionRecords(applicationId: expired.id) == deleted)
            #expect(try await store.deletionRecords(applicationId: nil) == deleted)
            #expect(try await store.documents(applicationId: expired.id).isEmpty)
            #expect(try await store.application(id: expired.id)?.status == .withdrawn)
            #expect(try await store.auditLog(applicationId: expired.id).map(\.action) == ["submit", "withdraw", "delete_documents"])
            #expect(try await store.clearLegalHold(applicationId: kept.id, audit: PostgresRecords.audit(kept.id, "release")))
            #expect(try await !store.clearLegalHold(applicationId: kept.id, audit: PostgresRecords.audit(kept.id, "release")))
            await #expect(throws: MetadataStoreError.notFound) {
                try await store.setLegalHold(
                    LegalHold(applicationId: "nobody", reason: "x", setAt: at, setBy: "o"), audit: PostgresRecords.audit("nobody"))
            }
        }
    }

    @Test func noticesAreMarkedSentOrRetriedAndJobRunsRecorded() async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let store = world.a
            let first = try await PostgresRecords.submit(store, notice: true)
            let second = try await PostgresRecords.submit(store, notice: true)
            let now = PostgresRecords.at.addingTimeInterval(1)
            let claimed = try await store.claimDueNotices(now: now, leasedUntil: now.addingTimeInterval(60), limit: 1)
            #expect(claimed.map(\.applicationId) == [first.id])
            try await store.markNoticeSent(id: claimed[0].id!, at: now)
            let retry = now.addingTimeInterval(600)
            let other = try await store.claimDueNotices(now: now, leasedUntil: now.addingTimeInterval(60), limit: 5)
            #expect(other.map(\.applicationId) == [second.id])
            try await store.recordNoticeFailure(id: other[0].id!, error: "relay refused", retryAt: retry)
            #expect(try await store.deliveredNotices().map(\.applicationId) == [first.id])
            let waiting = try await store.notices(applicationId: nil)
            #expect(waiting.map(\.applicationId) == [second.id])
            #expect(waiting[0].lastError == "relay refused" && waiting[0].nextAttemptAt == retry && waiting[0].attempts == 1)
            #expect(try await store.claimDueNotices(now: retry.addingTimeInterval(-1), leasedUntil: retry, limit: 5).isEmpty)

            let run = JobRunRecord(
                job: "retention", startedAt: now, finishedAt: now.addingTimeInterval(2), outcome: "ok", summary: "{}", actor: "system")
            try await store.recordJobRun(run)
            var later = run
            later.outcome = "problems"
            try await store.recordJobRun(later)
            #expect(try await store.lastJobRun(job: "retention")?.outcome == "problems")
            #expect(try await store.lastJobRun(job: "scrub") == nil)
        }
    }
}
