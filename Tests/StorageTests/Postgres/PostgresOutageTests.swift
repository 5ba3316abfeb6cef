import Foundation
import PostgresNIO
import PostgresTestSupport
import Testing

@testable import Storage

/// The database goes away under a running store (a cluster of the test's own, stopped and started
/// again): calls fail as `.unavailable` within the connection timeout instead of hanging, nothing
/// half-done remains, and the store recovers by itself when the database returns.
@Suite struct PostgresOutageTests {
    @Test func aStoppedDatabaseIsUnavailableAndTheStoreRecoversWhenItReturns() async throws {
        let cluster = try await PostgresCluster.launch()
        do {
            let url = try await cluster.freshDatabaseURL()
            // Ten seconds, as in service: shorter ones were missed on a loaded machine before the outage began.
            let store = try await PostgresMetadataStore(url: DatabaseURL(url), connectionTimeout: .seconds(10))
            let application = try await PostgresRecords.submit(store)
            try await cluster.stopServer()

            let started = ContinuousClock.now
            for attempt in [
                { try await store.ping() },
                {
                    try await store.transition(
                        applicationId: application.id, from: [.submitted], to: .underReview,
                        audit: PostgresRecords.audit(application.id, "claim"), notice: nil)
                },
            ] as [@Sendable () async throws -> Void] {
                do {
                    try await attempt()
                    Issue.record("a call succeeded with the database stopped")
                } catch let MetadataStoreError.unavailable(reason) {
                    #expect(reason.contains("127.0.0.1"))
                    #expect(!reason.contains(try #require(URLComponents(string: url)?.password)))
                }
            }
            // Not a speed goal: each call ends within its connection timeout plus scheduling, instead of hanging.
            #expect(ContinuousClock.now - started < .seconds(60), "the calls hung instead of failing within the timeout")
            // A deliverer waiting meanwhile still wakes at its timeout.
            let waited = ContinuousClock.now
            await store.waitForQueuedNotice(timeout: .milliseconds(500))
            #expect(ContinuousClock.now - waited < .seconds(30))

            try await cluster.startServer()
            let deadline = ContinuousClock.now + .seconds(30)
            var recovered = false
            while !recovered, ContinuousClock.now < deadline {
                recovered = (try? await store.ping()) != nil
                if !recovered { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(recovered, "the store did not recover within 30 s of the database's return")
            #expect(try await store.application(id: application.id)?.status == .submitted)
            #expect(try await store.auditLog(applicationId: application.id).map(\.action) == ["submit"])
            while !store.queued.isListening, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(store.queued.isListening, "the notice listener did not come back")
            await store.shutdown()
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
