import Foundation
import Storage
import Testing

@testable import DocIntake

/// The retention job through the library, with the rules' date injected, on applications put
/// into their states by the real services.
@Suite struct RetentionTests {
    static let approvedAt = JST.date("2025-03-31T12:00:00+09:00")
    static let rejectedAt = JST.date("2025-06-01T12:00:00+09:00")
    static let returnedAt = JST.date("2025-06-01T12:00:00+09:00")
    static let withdrawnAt = JST.date("2025-07-01T00:00:00+09:00")

    /// The deleted documents of a summary as application id → rule, one entry per document.
    static func deletions(_ summary: RetentionSummary) -> [String: [RetentionRule]] {
        Dictionary(grouping: summary.documents, by: \.applicationId).mapValues { $0.map(\.rule) }
    }

    @Test func eachRuleDeletesItsDocumentsExactlyWhenDue() async throws {
        try await RetentionWorld.with { world in
            let approved = try await world.submit()
            let rejected = try await world.submit()
            let returned = try await world.submit()
            let withdrawn = try await world.submit()
            let pending = try await world.submit()
            let approvedMedical = try await world.submitMedical()
            try await world.decide(approved, .approve, at: Self.approvedAt)
            try await world.decide(approvedMedical, .approve, at: Self.approvedAt)
            try await world.decide(rejected, .reject, at: Self.rejectedAt)
            try await world.decide(returned, .return, at: Self.returnedAt)
            try await world.withdraw(withdrawn, at: Self.withdrawnAt)

            let steps: [(now: Date, expected: [String: [RetentionRule]])] = [
                (Self.returnedAt.addingTimeInterval(180 * day - 1), [:]),
                (Self.returnedAt.addingTimeInterval(180 * day), [returned: [.returned, .returned]]),
                (Self.rejectedAt.addingTimeInterval(365 * day - 1), [:]),
                (Self.rejectedAt.addingTimeInterval(365 * day), [rejected: [.rejected, .rejected]]),
                (Self.withdrawnAt.addingTimeInterval(365 * day - 1), [:]),
                (Self.withdrawnAt.addingTimeInterval(365 * day), [withdrawn: [.withdrawn, .withdrawn]]),
                (JST.date("2030-03-31T23:59:59+09:00"), [:]),
                (JST.date("2030-04-01T00:00:00+09:00"), [approved: [.approved, .approved]]),
                (JST.date("2045-01-01"), [:]),
            ]
            for (now, expected) in steps {
                let summary = try await world.run(now: now)
                #expect(Self.deletions(summary) == expected, "at \(now)")
                #expect(summary.succeeded && summary.skipped.isEmpty)
                #expect(summary.applicationsConsidered >= 4)
                #expect(summary.blobsDeleted == 0, "every blob is younger than the 24 h grace by the wall clock")
            }
            #expect(try await world.run(now: JST.date("2045-01-01")).blobsInGracePeriod == 8, "and they are reported as kept")

            // The returned application was closed as withdrawn when its documents went.
            #expect(try await world.status(returned) == .withdrawn)
            let closing = try await #require(try world.stores.metadata.auditLog(applicationId: returned).first { $0.action == "withdraw" })
            #expect(closing.actor == "operator:tester" && closing.fromStatus == .returned)
            // Application rows and their history stay; only document rows go.
            for id in [approved, rejected, returned, withdrawn] {
                #expect(try await world.documents(id).isEmpty)
                let history = try await world.stores.metadata.auditLog(applicationId: id)
                #expect(history.first?.action == "submit" && history.last?.action == "delete_documents")
            }
            #expect(try await world.documents(pending).count == 2, "a pending application is never touched")
            #expect(try await world.status(approvedMedical) == .approved)
            let records = try await world.stores.metadata.deletionRecords(applicationId: nil)
            #expect(records.count == 8)
            #expect(Set(records.map(\.operatorUser)) == ["tester"] && Set(records.map(\.actor)) == ["operator:tester"])
            #expect(records.filter { $0.applicationId == approved }.map(\.rule) == ["approved", "approved"])

            // With no grace, the eight blobs nothing references any more are collected; the
            // pending application's two stay and still verify.
            let sweep = try await world.run(RetentionPolicy(blobGrace: 0), now: JST.date("2045-01-01"))
            #expect(sweep.blobsDeleted == 8)
            #expect(sweep.bytesFreed == records.reduce(0) { $0 + $1.size })
            for record in records { #expect(try await !BlobTamper.exists(record.sha256, in: world.stores.blobs)) }
            for document in try await world.documents(pending) { try await world.verify(document.blobSha256) }
        }
    }

    @Test func nothingUnderLegalHoldIsDeletedOrClosedUntilTheHoldIsCleared() async throws {
        try await RetentionWorld.with { world in
            let returned = try await world.submit()
            let approved = try await world.submit()
            try await world.decide(returned, .return, at: Self.returnedAt)
            try await world.decide(approved, .approve, at: Self.approvedAt)
            let holds = LegalHoldAdmin(metadata: world.stores.metadata)
            try await holds.set(applicationId: returned, reason: "訴訟対応のため保全", by: RetentionWorld.tester)
            try await holds.set(applicationId: approved, reason: "監査", by: RetentionWorld.tester)
            #expect(try await holds.list().map(\.hold.applicationId).sorted() == [returned, approved].sorted())
            await #expect(throws: LegalHoldError.notFound("nope")) {
                try await holds.set(applicationId: "nope", reason: "x", by: RetentionWorld.tester)
            }
            await #expect(throws: LegalHoldError.invalidReason) {
                try await holds.set(applicationId: approved, reason: "  ", by: RetentionWorld.tester)
            }

            let later = JST.date("2045-01-01")
            let held = try await world.run(RetentionPolicy(blobGrace: 0), now: later)
            #expect(held.documents.isEmpty && held.blobsDeleted == 0 && held.applicationsWithdrawn.isEmpty)
            #expect(Set(held.applicationsHeld.map(\.applicationId)) == [returned, approved])
            #expect(held.applicationsHeld.first { $0.applicationId == returned }?.reason == "訴訟対応のため保全")
            #expect(try await world.status(returned) == .returned, "a held returned application is not closed")
            #expect(try await world.documents(returned).count == 2)
            #expect(try await world.documents(approved).count == 2)

            try await holds.clear(applicationId: returned, by: RetentionWorld.tester)
            await #expect(throws: LegalHoldError.notHeld(returned)) { try await holds.clear(applicationId: returned, by: RetentionWorld.tester) }
            let released = try await world.run(RetentionPolicy(blobGrace: 0), now: later)
            #expect(Self.deletions(released) == [returned: [.returned, .returned]])
            #expect(released.applicationsHeld.map(\.applicationId) == [approved])
            #expect(try await world.status(returned) == .withdrawn)
            #expect(try await world.documents(approved).count == 2)
            let history = try await world.stores.metadata.auditLog(applicationId: returned).map(\.action)
            #expect(history.contains("legal_hold_set") && history.contains("legal_hold_clear"))
        }
    }

    /// Applications due under every rule, a blob shared with a pending application, an old
    /// orphan blob file and an old temp file.
    static func dueWorld(_ world: RetentionWorld) async throws -> (shared: String, pending: String) {
        let shared = try world.document("shared")
        let approved = try await world.submit()
        let rejected = try await world.submit(permit: shared)
        let returned = try await world.submit()
        let pending = try await world.submit(permit: shared)
        try await world.decide(approved, .approve, at: approvedAt)
        try await world.decide(rejected, .reject, at: rejectedAt)
        try await world.decide(returned, .return, at: returnedAt)

        let orphan = Data("%PDF-1.4\n% an upload that crashed before COMMIT\n%%EOF\n".utf8)
        let hex = RetentionWorld.sha256Hex(orphan)
        try await BlobTamper.write(Array(orphan), as: hex, in: world.stores.blobs)
        // An object's date is the S3 server's; the runs below collect with no grace either way.
        if world.stores.blobs is FileBlobStore { try world.age(try world.blobPath(hex), by: 2 * day) }
        let temp = world.server.dataDirectory + "/tmp/upload-crashed"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: temp))
        try world.age(temp, by: 2 * day)
        let sha = try await #require(try world.documents(pending).first { $0.slot == .openingPermit }?.blobSha256)
        return (sha, pending)
    }

    static let sweeping = RetentionPolicy(blobGrace: 0)

    @Test func aDryRunChangesNothingAndPrintsExactlyWhatTheRealRunDoes() async throws {
        try await RetentionWorld.with { world in
            let (shared, pending) = try await Self.dueWorld(world)
            let later = JST.date("2045-01-01")
            let before = try await world.snapshot()
            let dry = try await world.run(Self.sweeping, now: later, dryRun: true)
            #expect(try await world.snapshot() == before, "a dry run changes nothing, files and their times included")
            #expect(dry.dryRun)
            #expect(dry.documents.count == 6)
            #expect(dry.applicationsWithdrawn.count == 1)
            #expect(dry.blobs.filter { $0.kind == .unreferenced }.count == 5, "the shared blob is not among them")
            #expect(dry.blobs.filter { $0.kind == .orphanFile }.count == 1)
            #expect(!dry.blobs.contains { $0.sha256 == shared })
            #expect(dry.tempFilesSwept == 1)
            #expect(dry.text().contains("Documents would be deleted: 6 (approved 2, rejected 2, withdrawn 0, returned 2)"))

            let real = try await world.run(Self.sweeping, now: later)
            var expected = dry
            expected.dryRun = false
            #expect(real == expected, "the real run did exactly what the dry run printed")
            #expect(try await world.snapshot() != before)
            #expect(try world.server.tempFiles().isEmpty)
            // The shared blob survived the deletion of the rejected application's rows.
            try await world.verify(shared)
            #expect(try await world.documents(pending).count == 2)
        }
    }

    @Test func runningTwiceDoesTheSameAsRunningOnce() async throws {
        try await RetentionWorld.with { world in
            _ = try await Self.dueWorld(world)
            let later = JST.date("2045-01-01")
            let first = try await world.run(Self.sweeping, now: later)
            #expect(first.documents.count == 6 && first.blobsDeleted == 6 && first.tempFilesSwept == 1)
            let afterFirst = try await world.snapshot(jobRuns: false)

            let second = try await world.run(Self.sweeping, now: later)
            #expect(try await world.snapshot(jobRuns: false) == afterFirst)
            #expect(second.documents.isEmpty && second.blobs.isEmpty && second.applicationsWithdrawn.isEmpty)
            #expect(second.tempFilesSwept == 0 && second.succeeded)
            #expect(second.applicationsConsidered == first.applicationsConsidered)
        }
    }

    @Test func aBlobSharedByTwoApplicationsSurvivesTheDeletionOfOne() async throws {
        try await RetentionWorld.with { world in
            let shared = try world.document("shared-permit")
            let gone = try await world.submit(permit: shared)
            let kept = try await world.submit(permit: shared)
            try await world.decide(gone, .reject, at: Date().addingTimeInterval(-400 * day))
            try await world.decide(kept, .approve, at: Date())
            let goneNotification = try await #require(try world.documents(gone).first { $0.slot == .openingNotification })
            let permit = try await #require(try world.documents(kept).first { $0.slot == .openingPermit })

            let summary = try await world.run(Self.sweeping)
            #expect(Self.deletions(summary) == [gone: [.rejected, .rejected]])
            #expect(summary.blobs.map(\.sha256) == [goneNotification.blobSha256], "only the blob nobody else uses")
            // The other application's reviewer still downloads the shared document, verified.
            let review = ReviewService(blobs: world.stores.blobs, metadata: world.stores.metadata)
            let sato = try await #require(try world.stores.metadata.reviewers().first)
            let download = try await review.download(kept, slot: .openingPermit, range: nil, ifRange: nil, by: sato)
            var bytes = 0
            while let chunk = try await download.next() { bytes += chunk.count }
            #expect(Int64(bytes) == permit.size)
        }
    }
}
