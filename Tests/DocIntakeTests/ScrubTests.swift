import Foundation
import Storage
import Testing

@testable import DocIntake

/// Scrub finds each kind of damage, and the server exports what it found.
@Suite struct ScrubTests {
    @Test func scrubFindsCorruptMissingAndOrphanBlobsAndTheServerExportsTheResult() async throws {
        try await RetentionWorld.with { world in
            let first = try await world.submit()
            let second = try await world.submit()
            let clean = try await ScrubJob(blobs: world.stores.blobs, metadata: world.stores.metadata).run(by: RetentionWorld.tester)
            #expect(clean.isClean && clean.blobsChecked == 4 && clean.exitCode == 0)

            let blobs = world.stores.blobs
            // Corrupt: one flipped byte.
            let corrupt = try await #require(try world.documents(first).first).blobSha256
            let intact = try await BlobTamper.read(corrupt, in: blobs)
            try await BlobTamper.flip(corrupt, in: blobs)
            // Missing: a row (and a document) whose file is gone.
            let missing = try await #require(try world.documents(second).first).blobSha256
            try await BlobTamper.remove(missing, in: blobs)
            // Orphans: files with no row, one older than the grace period and one fresh. An object's
            // date is the S3 server's to set, so there the scrub looks from two days ahead instead,
            // and no orphan is young.
            let files = blobs is FileBlobStore
            func plant(_ text: String, age: TimeInterval) async throws -> String {
                let data = Data("%PDF-1.4\n% \(text)\n%%EOF\n".utf8)
                let hex = RetentionWorld.sha256Hex(data)
                try await BlobTamper.write(Array(data), as: hex, in: blobs)
                if files { try world.age(try world.blobPath(hex), by: age) }
                return hex
            }
            let orphan = try await plant("crashed before COMMIT", age: 2 * day)
            if files { _ = try await plant("being committed right now", age: 0) }
            let shift: TimeInterval = files ? 0 : 2 * day
            let clock: @Sendable () -> Date = { Date().addingTimeInterval(shift) }

            let report = try await ScrubJob(blobs: blobs, metadata: world.stores.metadata, clock: clock).run(by: RetentionWorld.tester)
            #expect(report.corrupt.map(\.sha256) == [corrupt])
            #expect(report.corrupt.first?.references == 1)
            // Marked, so that downloads refuse it before any byte; a scrub that finds it whole again clears it.
            #expect(try await world.stores.metadata.corruptBlobs().map(\.sha256) == [corrupt])
            #expect(report.missing.map(\.sha256) == [missing])
            #expect(report.missing.first?.references == 1)
            #expect(report.orphans.map(\.sha256) == [orphan])
            #expect(report.youngOrphansIgnored == (files ? 1 : 0))
            #expect(!report.isClean && report.exitCode == 1)
            #expect(report.text().contains("The store is NOT clean."))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
            #expect(json["clean"] as? Bool == false)
            #expect((json["corrupt"] as? [[String: Any]])?.first?["sha256"] as? String == corrupt)

            // The server's /metrics shows the last recorded result. The gauges are process-global and
            // every test server refreshes them from its own database when scraped, so a scrape of
            // another suite's server between this one's refresh and its answer can show that
            // server's run: ask again a few times; the right figures must still come.
            let lines = [
                "docintake_scrub_corrupt_blobs 1", "docintake_scrub_missing_blobs 1", "docintake_scrub_orphan_files 1",
                "docintake_scrub_last_run_success 0",
            ]
            var metrics = try await Curl.run([world.server.metricsURL])
            for _ in 0..<10 where !lines.allSatisfy(metrics.text.contains) {
                try await Task.sleep(for: .milliseconds(100))
                metrics = try await Curl.run([world.server.metricsURL])
            }
            for line in lines {
                #expect(metrics.text.contains(line), "\(line) missing from /metrics")
            }

            // The operator restores the file from a backup: the next scrub reads it whole and clears the mark.
            try await BlobTamper.write(intact, as: corrupt, in: blobs)
            let restored = try await ScrubJob(blobs: blobs, metadata: world.stores.metadata, clock: clock).run(by: RetentionWorld.tester)
            #expect(restored.corrupt.isEmpty)
            #expect(try await world.stores.metadata.corruptBlobs().isEmpty)
        }
    }
}
