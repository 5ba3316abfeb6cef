import Foundation
import Storage
import Testing

@testable import DocIntake

/// The outbox's `.eml` files (names and addresses) are deleted by the retention job: a delivered
/// notice's file after `noticeFileDays`, at the latest with its application's documents, each
/// deletion recorded.
@Suite struct NoticeFileRetentionTests {
    @Test func aDeliveredNoticesFileGoesAfterItsDaysOrWithItsApplicationsDocuments() async throws {
        try await RetentionWorld.with { world in
            let kept = try await world.submit()
            let rejected = try await world.submit()
            try await world.decide(rejected, .reject, at: JST.date("2025-06-01T12:00:00+09:00"))
            let outbox = world.server.dataDirectory + "/outbox"
            let notices = try await Self.delivered(world, [kept, rejected], count: 3)
            let files = { (id: String) in
                notices.filter { $0.applicationId == id }.map { MailMessage.key(eventKey: $0.eventKey) + ".eml" }
                    .filter { FileManager.default.fileExists(atPath: outbox + "/" + $0) }
            }
            #expect(files(kept).count == 1 && files(rejected).count == 2)

            let policy = RetentionPolicy(noticeFileDays: 30)
            let job = RetentionJob(blobs: world.stores.blobs, metadata: world.stores.metadata, policy: policy, outboxDirectory: outbox)
            let inTwentyNineDays = Date().addingTimeInterval(29 * 86400)
            // The rejected application's documents are due (365 days after 2025-06-01): its notices go with them.
            let dryRun = try await job.run(now: inTwentyNineDays, dryRun: true, by: RetentionWorld.tester)
            #expect(dryRun.noticeFiles.map(\.reason) == ["documents_deleted", "documents_deleted"])
            #expect(files(rejected).count == 2, "a dry run deletes nothing")
            let first = try await job.run(now: inTwentyNineDays, dryRun: false, by: RetentionWorld.tester)
            #expect(first.noticeFiles == dryRun.noticeFiles)
            #expect(files(rejected).isEmpty)
            #expect(files(kept).count == 1, "delivered 29 days ago: kept")
            #expect(first.text().contains("Delivered notices' files deleted: 2"))

            let later = try await job.run(now: Date().addingTimeInterval(31 * 86400), dryRun: false, by: RetentionWorld.tester)
            #expect(later.noticeFiles.map(\.applicationId) == [kept])
            #expect(later.noticeFiles.first?.reason == "delivered")
            #expect(files(kept).isEmpty)

            // Each deletion is recorded once, by whom and why.
            for (id, count) in [(kept, 1), (rejected, 2)] {
                let records = try await world.stores.metadata.auditLog(applicationId: id).filter { $0.action == "notice_file_deleted" }
                #expect(records.count == count)
                #expect(records.allSatisfy { $0.actor == RetentionWorld.tester.actor && ($0.detail ?? "").contains(".eml") })
            }
            let again = try await job.run(now: Date().addingTimeInterval(400 * 86400), dryRun: false, by: RetentionWorld.tester)
            #expect(again.noticeFiles.isEmpty)
        }
    }

    /// The notices of `ids` once `count` of them are marked delivered.
    static func delivered(_ world: RetentionWorld, _ ids: [String], count: Int) async throws -> [OutboxMessage] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            var notices: [OutboxMessage] = []
            for id in ids { notices += try await world.stores.metadata.notices(applicationId: id) }
            if notices.filter({ $0.sentAt != nil }).count >= count || ContinuousClock.now >= deadline { return notices }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
