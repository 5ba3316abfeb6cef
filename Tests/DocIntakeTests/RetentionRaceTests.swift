import Foundation
import Storage
import Testing

@testable import DocIntake

/// The GC-versus-upload race end to end: uploads of the same bytes over HTTP while the
/// retention job, with no grace for blobs, deletes the only application that used them and
/// collects the blob, again and again.
@Suite struct RetentionRaceTests {
    static let rounds = 20

    @Test func uploadsOverHTTPNeverLoseTheirBlobToConcurrentRetentionRuns() async throws {
        try await RetentionWorld.with { world in
            let policy = RetentionPolicy(blobGrace: 0)
            var collectedRounds = 0
            for round in 0..<Self.rounds {
                let contested = try world.document("contested-\(round)")
                let doomed = try await world.submit(notification: contested)
                try await world.decide(doomed, .reject, at: Date().addingTimeInterval(-400 * day))
                let sha = try await #require(try world.documents(doomed).first { $0.slot == .openingNotification }?.blobSha256)

                let (uploads, runs) = try await withThrowingTaskGroup(of: ([String], [RetentionSummary]).self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                            return ([try await world.submit(notification: contested)], [])
                        }
                    }
                    group.addTask {
                        var runs: [RetentionSummary] = []
                        for _ in 0..<6 {
                            runs.append(try await world.run(policy))
                            try await Task.sleep(for: .milliseconds(Int.random(in: 0...60)))
                        }
                        return ([], runs)
                    }
                    var uploads: [String] = []
                    var runs: [RetentionSummary] = []
                    for try await (ids, summaries) in group {
                        uploads += ids
                        runs += summaries
                    }
                    return (uploads, runs)
                }
                if runs.contains(where: { $0.blobs.contains { $0.sha256 == sha } }) { collectedRounds += 1 }
                #expect(runs.allSatisfy { $0.succeeded })
                #expect(uploads.count == 3)
                for id in uploads {
                    for document in try await world.documents(id) {
                        await #expect(throws: Never.self, "round \(round): \(document.slot) of \(id)") { try await world.verify(document.blobSha256) }
                    }
                }
                #expect(try await world.documents(doomed).isEmpty)
            }
            print("retention race over HTTP: \(Self.rounds) rounds, the contested blob was collected in \(collectedRounds)")
            // The race happened: the blob the uploads were sending was collected while they ran.
            #expect(collectedRounds > 0, "the retention job never collected the contested blob: no race was tested")
        }
    }
}
