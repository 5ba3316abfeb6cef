import Foundation
import Storage
import Testing

@testable import DocIntake

/// `docintake serve --retention-interval`: the job runs inside the server, as `system`, and the
/// server still shuts down while the job waits for its next run.
@Suite struct RetentionServiceTests {
    /// `RetentionWorld.with` returns only once graceful shutdown has ended every service: a
    /// retention service that ignored it would keep the test waiting until the time limit fails it.
    /// The limit is a hang guard, not a speed goal: a CI run's first minute, when every suite starts
    /// its servers on two cores, once took this test past one minute.
    @Test(.timeLimit(.minutes(3)))
    func theServerRunsRetentionPeriodicallyAndStopsOnShutdown() async throws {
        try await RetentionWorld.with(retentionInterval: .seconds(1)) { world in
            let id = try await world.submit()
            try await world.decide(id, .reject, at: Date().addingTimeInterval(-400 * day))
            var waited = 0
            while try await !world.documents(id).isEmpty, waited < 100 {
                try await Task.sleep(for: .milliseconds(100))
                waited += 1
            }
            #expect(try await world.documents(id).isEmpty, "the periodic job deleted the documents")
            let records = try await world.stores.metadata.deletionRecords(applicationId: id)
            #expect(records.count == 2 && records.allSatisfy { $0.actor == "system" && $0.rule == "rejected" })
            #expect(try await world.stores.metadata.auditLog(applicationId: id).last?.actor == "system")
        }
    }
}
