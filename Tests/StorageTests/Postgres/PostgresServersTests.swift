import Foundation
import PostgresNIO
import PostgresTestSupport
import Testing

@testable import Storage

/// Issue 18's correctness points with several servers, each held at its critical point: the test's
/// own transaction plays one server stopped mid-change, a `PostgresMetadataStore` the other, and the
/// test checks (in pg_stat_activity) that the store waits, skips or fails as designed.
@Suite struct PostgresServersTests {
    // MARK: 1. Receipt numbers

    /// Two servers drew the same 受付番号: the one that commits second is refused with
    /// `.duplicateReceiptNumber` (the service then draws another), after waiting for the first.
    @Test func aReceiptNumberTakenByAnotherServerIsADuplicate() async throws {
        try await PostgresWorld.with { world in
            let first = PostgresRecords.application(receipt: "20261207-SAME01")
            let second = PostgresRecords.application(receipt: "20261207-SAME01")
            let committed = Finished()
            let inserting = try await world.holding([
                """
                INSERT INTO applications (id, receipt_number, status, institution_kind, prefecture_code, institution_name,
                    application_kind, terms_agreed, line_type, flets_v6_confirmed, planned_start_month, secret_number_hash,
                    certificate_fee_payment, contact_email, access_token_hash, warnings, created_at, updated_at, status_changed_at)
                VALUES (\(first.id), \(first.receiptNumber), 'submitted', 'clinic', '13', 'A', 'new', true, '1', true, '2027-04',
                    'h', 'invoice', 'a@example.jp', 't', '[]', now(), now(), now())
                """
            ]) {
                let inserting = Task {
                    defer { committed.set() }
                    try await world.b.insertApplication(
                        second, documents: [], audit: PostgresRecords.audit(second.id), notice: nil, releasing: nil)
                }
                // Server B's insert waits for A's uncommitted row with the same number.
                try await world.untilSomeoneWaits()
                #expect(!committed.isSet)
                return inserting
            }
            await #expect(throws: MetadataStoreError.duplicateReceiptNumber) { try await inserting.value }
            #expect(try await world.b.application(id: second.id) == nil)
            #expect(try await world.b.auditLog(applicationId: second.id).isEmpty)
            #expect(try await world.a.applicationId(receiptNumber: "20261207-SAME01") == first.id)
        }
    }

    // MARK: 2. Claims and decisions

    /// Server A claimed the application and has not committed yet; server B's claim waits for A's
    /// row lock and then finds it under review: `.statusConflict`, not a second claim.
    @Test func aClaimWaitsForAnotherServersClaimAndLoses() async throws {
        try await PostgresWorld.with { world in
            let application = try await PostgresRecords.submit(world.a)
            let decided = Finished()
            let claiming = try await world.holding([
                "SELECT id FROM applications WHERE id = \(application.id) FOR UPDATE",
                "UPDATE applications SET status = 'under_review' WHERE id = \(application.id)",
            ]) {
                let claiming = Task {
                    defer { decided.set() }
                    return try await world.b.transition(
                        applicationId: application.id, from: [.submitted], to: .underReview,
                        audit: PostgresRecords.audit(application.id, "claim"), notice: nil)
                }
                try await world.untilSomeoneWaits()
                #expect(!decided.isSet)
                return claiming
            }
            await #expect(throws: MetadataStoreError.statusConflict(current: .underReview)) { try await claiming.value }
            #expect(try await world.a.auditLog(applicationId: application.id).map(\.action) == ["submit"])
        }
    }

    /// Both servers claim at once, many times: each application has exactly one winner and one audit entry.
    @Test func twoServersClaimingTogetherHaveOneWinnerEachTime() async throws {
        try await PostgresWorld.with { world in
            for _ in 0..<20 {
                let application = try await PostgresRecords.submit(world.a)
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for store in world.stores {
                        group.addTask {
                            do {
                                try await store.transition(
                                    applicationId: application.id, from: [.submitted], to: .underReview,
                                    audit: PostgresRecords.audit(application.id, "claim"), notice: PostgresRecords.notice(application.id))
                                return true
                            } catch MetadataStoreError.statusConflict(current: .underReview) {
                                return false
                            } catch {
                                Issue.record("unexpected \(error)")
                                return false
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                #expect(try await world.a.auditLog(applicationId: application.id).filter { $0.action == "claim" }.count == 1)
                #expect(try await world.b.notices(applicationId: application.id).count == 1)
            }
        }
    }

    // MARK: 3. Notices

    /// Server A is claiming notice 1 (its row locked); server B's claim skips it at once, without
    /// waiting, and takes the others; once A lets go, B can take it.
    @Test func aNoticeAnotherServerIsClaimingIsSkippedNotWaitedFor() async throws {
        try await PostgresWorld.with { world in
            for _ in 0..<3 { try await PostgresRecords.submit(world.a, notice: true) }
            let ids = try await world.a.notices(applicationId: nil).compactMap(\.id)
            #expect(ids.count == 3)
            let now = PostgresRecords.at.addingTimeInterval(60)
            let done = Finished()
            let claiming = try await world.holding(["SELECT id FROM outbox WHERE id = \(ids[0]) FOR UPDATE"]) {
                let claiming = Task {
                    defer { done.set() }
                    return try await world.b.claimDueNotices(now: now, leasedUntil: now.addingTimeInterval(300), limit: 10)
                }
                // Not waited for: the claim returns while A still holds its row (or the test fails after 10 s).
                let deadline = ContinuousClock.now + .seconds(10)
                while !done.isSet, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(done.isSet, "server B waited for a notice server A was claiming")
                return claiming
            }
            let taken = try await claiming.value
            #expect(taken.compactMap(\.id) == Array(ids[1...]))
            #expect(taken.allSatisfy { $0.attempts == 1 })
            let rest = try await world.b.claimDueNotices(now: now, leasedUntil: now.addingTimeInterval(300), limit: 10)
            #expect(rest.compactMap(\.id) == [ids[0]])
            // Leased: due again only when the lease runs out.
            #expect(try await world.a.claimDueNotices(now: now.addingTimeInterval(60), leasedUntil: now, limit: 10).isEmpty)
        }
    }

    /// Both servers' deliverers claim at once, again and again: no notice is held by both.
    @Test func twoServersClaimingTogetherNeverHoldTheSameNotice() async throws {
        try await PostgresWorld.with { world in
            for _ in 0..<40 { try await PostgresRecords.submit(world.a, notice: true) }
            let now = PostgresRecords.at.addingTimeInterval(60)
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for store in world.stores {
                    for _ in 0..<4 {
                        group.addTask {
                            var mine: [Int64] = []
                            while true {
                                let batch = try await store.claimDueNotices(now: now, leasedUntil: now.addingTimeInterval(600), limit: 3)
                                if batch.isEmpty { return mine }
                                mine += batch.compactMap(\.id)
                            }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == 40)
            #expect(Set(claims).count == 40)
        }
    }

    /// A notice committed through server A wakes a deliverer waiting on server B (LISTEN/NOTIFY),
    /// long before its timeout.
    @Test func aNoticeQueuedOnOneServerWakesTheOthersDeliverer() async throws {
        try await PostgresWorld.with { world in
            #expect(world.b.queued.isListening)
            let application = try await PostgresRecords.submit(world.a)
            let woken = try await elapsed(ofWaitingOn: world.b, timeout: .seconds(30)) {
                try await world.a.queueNotice(PostgresRecords.notice(application.id), audit: PostgresRecords.audit(application.id, "send_link"))
            }
            #expect(woken < .seconds(10), "server B's deliverer slept through a notice server A queued")
        }
    }

    /// The listener's connection dies (terminated by the server): a waiter still returns at its
    /// timeout, the listener comes back by itself, and notices wake the other server again.
    @Test func aListenerThatLostItsConnectionFallsBackToTheTimeoutAndListensAgain() async throws {
        try await PostgresWorld.with { world in
            let terminated = try await world.execute(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN%'
                """)
            #expect(terminated.count == 2)
            let idle = try await elapsed(ofWaitingOn: world.b, timeout: .seconds(1)) {}
            #expect(idle >= .milliseconds(900) && idle < .seconds(5))
            let deadline = ContinuousClock.now + .seconds(15)
            while !world.b.queued.isListening, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(world.b.queued.isListening, "the listener did not come back")
            let application = try await PostgresRecords.submit(world.a)
            let woken = try await elapsed(ofWaitingOn: world.b, timeout: .seconds(30)) {
                try await world.a.queueNotice(PostgresRecords.notice(application.id), audit: PostgresRecords.audit(application.id, "send_link"))
            }
            #expect(woken < .seconds(10))
        }
    }

    // MARK: 4. Job leases

    /// Server A is taking the lease (its row not committed yet); server B's attempt waits for it and
    /// then finds it held. Once the lease has run out, B takes it over.
    @Test func aJobLeaseHasOneHolderAcrossServers() async throws {
        try await PostgresWorld.with { world in
            let now = PostgresRecords.at
            let acquired = Finished()
            let attempt = try await world.holding([
                "INSERT INTO job_leases (job, holder, expires_at) VALUES ('retention', 'server-a', \(StoredDate(now.addingTimeInterval(600))))"
            ]) {
                let attempt = Task {
                    defer { acquired.set() }
                    return try await world.b.acquireJobLease(job: "retention", holder: "server-b", now: now, expiresAt: now.addingTimeInterval(600))
                }
                try await world.untilSomeoneWaits()
                #expect(!acquired.isSet)
                return attempt
            }
            #expect(try await attempt.value == false)
            #expect(try await world.b.jobLease(job: "retention")?.holder == "server-a")
            // A renews its own; B still cannot; after expiry B takes it.
            #expect(try await world.a.acquireJobLease(job: "retention", holder: "server-a", now: now, expiresAt: now.addingTimeInterval(60)))
            #expect(
                try await !world.b.acquireJobLease(
                    job: "retention", holder: "server-b", now: now.addingTimeInterval(59), expiresAt: now.addingTimeInterval(600)))
            #expect(
                try await world.b.acquireJobLease(
                    job: "retention", holder: "server-b", now: now.addingTimeInterval(60), expiresAt: now.addingTimeInterval(600)))
            #expect(
                try await world.a.jobLease(job: "retention") == JobLease(job: "retention", holder: "server-b", expiresAt: now.addingTimeInterval(600))
            )
            try await world.a.releaseJobLease(job: "retention", holder: "server-a")
            #expect(try await world.a.jobLease(job: "retention")?.holder == "server-b")
            try await world.b.releaseJobLease(job: "retention", holder: "server-b")
            #expect(try await world.a.jobLease(job: "retention") == nil)
        }
    }

    /// Both servers ask for a free lease at once, many times: one gets it each time.
    @Test func twoServersAskingForALeaseTogetherGetOneHolder() async throws {
        try await PostgresWorld.with { world in
            let now = PostgresRecords.at
            for round in 0..<20 {
                let job = "job-\(round)"
                let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for (index, store) in world.stores.enumerated() {
                        group.addTask {
                            try await store.acquireJobLease(job: job, holder: "server-\(index)", now: now, expiresAt: now.addingTimeInterval(600))
                        }
                    }
                    return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
                }
                #expect(granted == 1)
            }
        }
    }

    // MARK: 5. Blob collection against uploads

    /// Server B collects a blob and is removing its file (holding the blob's locks); server A's
    /// upload reserves the same blob meanwhile: the reservation waits until the collection is
    /// done, then makes the row afresh, and B's next collection leaves the reserved blob alone.
    @Test func aReservationWaitsForACollectionInProgressThenProtectsTheBlob() async throws {
        try await PostgresWorld.with { world in
            let sha = PostgresRecords.sha("c")
            let old = PostgresRecords.at
            try await world.a.reserveBlobs([BlobRecord(sha256: sha, size: 3, createdAt: old)], reservation: BlobReservation(expiresAt: old))
            let (removal, letGo) = AsyncStream.makeStream(of: Void.self)
            let (entered, signalEntered) = AsyncStream.makeStream(of: BlobRecord?.self)
            let collecting = Task {
                try await world.b.collectBlob(sha256: sha, createdAtOrBefore: old, now: old.addingTimeInterval(1)) { row in
                    signalEntered.yield(row)
                    for await _ in removal { break }
                    return true
                }
            }
            var rows = entered.makeAsyncIterator()
            let row = await rows.next()
            #expect(row??.sha256 == sha)
            let reserved = Finished()
            let reservation = BlobReservation(expiresAt: Date().addingTimeInterval(600))
            let reserving = Task {
                defer { reserved.set() }
                try await world.a.reserveBlobs([BlobRecord(sha256: sha, size: 3, createdAt: Date())], reservation: reservation)
            }
            try await world.untilSomeoneWaits(for: "advisory")
            #expect(!reserved.isSet, "server A reserved a blob while server B was removing it")
            letGo.yield()
            #expect(try await collecting.value)
            try await reserving.value
            let usage = try await world.b.blobUsage()
            #expect(usage.map(\.blob.sha256) == [sha], "the reservation did not make the blob's row anew")
            let called = Finished()
            let collectedAgain = try await world.b.collectBlob(sha256: sha, createdAtOrBefore: .distantFuture, now: Date()) { _ in
                called.set()
                return true
            }
            #expect(!collectedAgain)
            #expect(!called.isSet)
        }
    }

    /// The other way round: server A is reserving (its transaction not committed); server B's
    /// collection waits for it and then leaves the blob alone, without touching the file.
    @Test func aCollectionWaitsForAReservationInProgressAndLeavesTheBlob() async throws {
        try await PostgresWorld.with { world in
            let sha = PostgresRecords.sha("e")
            let old = PostgresRecords.at
            let called = Finished()
            let collecting = try await world.holding([
                "SELECT pg_advisory_xact_lock_shared(\(PostgresMetadataStore.blobLockSpace), hashtext(\(sha)))",
                "INSERT INTO blobs (sha256, size, created_at) VALUES (\(sha), 3, \(StoredDate(old)))",
                "INSERT INTO blob_reservations (reservation_id, sha256, expires_at) VALUES ('upload-a', \(sha), \(StoredDate(old.addingTimeInterval(600))))",
            ]) {
                let collecting = Task {
                    try await world.b.collectBlob(sha256: sha, createdAtOrBefore: old, now: old.addingTimeInterval(1)) { _ in
                        called.set()
                        return true
                    }
                }
                try await world.untilSomeoneWaits(for: "advisory")
                return collecting
            }
            #expect(try await !collecting.value)
            #expect(!called.isSet, "server B removed the file of a blob server A had reserved")
            #expect(try await world.b.blobUsage().map(\.blob.sha256) == [sha])
        }
    }

    /// An upload that died leaves a reservation that runs out: then it protects nothing, and the
    /// collection takes the row (its reservations with it). A released one protects nothing at once.
    @Test func anExpiredOrReleasedReservationNoLongerProtects() async throws {
        try await PostgresWorld.with { world in
            let old = PostgresRecords.at
            let (expired, released) = (PostgresRecords.sha("1"), PostgresRecords.sha("2"))
            try await world.a.reserveBlobs(
                [BlobRecord(sha256: expired, size: 1, createdAt: old)], reservation: BlobReservation(expiresAt: old.addingTimeInterval(60)))
            let upload = BlobReservation(expiresAt: old.addingTimeInterval(600))
            try await world.a.reserveBlobs([BlobRecord(sha256: released, size: 1, createdAt: old)], reservation: upload)
            #expect(try await !world.b.collectBlob(sha256: expired, createdAtOrBefore: old, now: old.addingTimeInterval(59)) { _ in true })
            #expect(try await world.b.collectBlob(sha256: expired, createdAtOrBefore: old, now: old.addingTimeInterval(60)) { _ in true })
            #expect(try await !world.b.collectBlob(sha256: released, createdAtOrBefore: old, now: old.addingTimeInterval(1)) { _ in true })
            try await world.a.releaseBlobReservation(upload)
            #expect(try await world.b.collectBlob(sha256: released, createdAtOrBefore: old, now: old.addingTimeInterval(1)) { _ in true })
            #expect(try await world.b.blobUsage().isEmpty)
            #expect(try await world.execute("SELECT count(*) FROM blob_reservations")[0].decode(Int.self) == 0)
        }
    }

    /// A document references the blob: never collected. A file without a row (orphan): removed.
    @Test func referencedBlobsStayAndOrphanFilesGo() async throws {
        try await PostgresWorld.with { world in
            let sha = PostgresRecords.sha("f")
            try await PostgresRecords.submit(world.a, documents: [sha])
            #expect(try await !world.b.collectBlob(sha256: sha, createdAtOrBefore: .distantFuture, now: Date()) { _ in true })
            let orphan = PostgresRecords.sha("0")
            let seen = try await world.b.collectBlob(sha256: orphan, createdAtOrBefore: .distantPast, now: Date()) { row in row == nil }
            #expect(seen)
            #expect(try await !world.b.collectBlob(sha256: orphan, createdAtOrBefore: .distantPast, now: Date()) { _ in false })
        }
    }

    /// How long `store`'s deliverer waited, with `action` run once it waits.
    private func elapsed(
        ofWaitingOn store: PostgresMetadataStore, timeout: Duration, after action: @escaping @Sendable () async throws -> Void
    ) async throws -> Duration {
        let start = ContinuousClock.now
        let waiting = Task {
            await store.waitForQueuedNotice(timeout: timeout)
            return ContinuousClock.now - start
        }
        // Let the waiter register before the notice is committed (a notice before it would be missed).
        try await Task.sleep(for: .milliseconds(200))
        try await action()
        return await waiting.value
    }
}
