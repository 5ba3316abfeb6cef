import Foundation
import Storage

/// `docintake scrub`: re-hashes every stored blob through the verifying reader and compares the
/// blob rows with the files, reporting corrupt blobs, missing blobs (a row documents use, but no file) and
/// orphan files (a file but no row, older than the grace period). It changes nothing but the
/// record of its own run, which the server exports as metrics, and the corruption marks: a blob
/// it finds corrupt is marked (downloads refuse it before any byte), and a marked blob that reads
/// whole again (restored, or uploaded anew) is cleared.
public struct ScrubJob: Sendable {
    let blobs: any BlobStore
    let metadata: any MetadataStore
    let grace: TimeInterval
    let clock: @Sendable () -> Date

    /// A scrub of these stores; files without a row younger than `grace` seconds are not reported.
    public init(
        blobs: any BlobStore, metadata: any MetadataStore, grace: TimeInterval = RetentionPolicy.defaultGrace,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.blobs = blobs
        self.metadata = metadata
        self.grace = grace
        self.clock = clock
    }

    /// Checks everything and records the result, holding the `scrub` lease (`JobLeaseGuard`):
    /// throws `JobBusy` when another server or command is scrubbing.
    public func run(by identity: OperatorIdentity) async throws -> ScrubReport {
        try await JobLeaseGuard(metadata: metadata, job: "scrub", clock: clock).run { try await check(by: identity) }
    }

    private func check(by identity: OperatorIdentity) async throws -> ScrubReport {
        let started = clock()
        let monotonic = ContinuousClock.now
        // Rows first, then files: a blob committed in between shows as a young orphan (ignored),
        // never as missing.
        let usage = try await metadata.blobUsage()
        let files = try await blobs.list()
        let rows = Dictionary(usage.map { ($0.blob.sha256, $0) }, uniquingKeysWith: { first, _ in first })
        let filesByHex = Dictionary(files.map { ($0.digest.hex, $0) }, uniquingKeysWith: { first, _ in first })
        let marked = Set(try await metadata.corruptBlobs().map(\.sha256))
        var report = ScrubReport(
            startedAt: started, durationSeconds: 0, blobsChecked: 0, bytesChecked: 0, corrupt: [],
            missing: [], orphans: [], youngOrphansIgnored: 0)

        for file in files.sorted(by: { $0.digest.hex < $1.digest.hex }) {
            let row = rows[file.digest.hex]
            if row == nil {
                if file.modifiedAt <= started.addingTimeInterval(-grace).timeIntervalSince1970 {
                    report.orphans.append(
                        .init(
                            sha256: file.digest.hex, size: file.size, references: 0,
                            detail: "no blob row; left by an upload that never committed"))
                } else {
                    report.youngOrphansIgnored += 1
                }
            }
            switch await rehash(file.digest) {
            case .intact(let bytes):
                report.blobsChecked += 1
                report.bytesChecked += bytes
                if marked.contains(file.digest.hex) { try await metadata.clearBlobCorruption(sha256: file.digest.hex) }
                if let row, row.blob.size != bytes {
                    report.corrupt.append(
                        .init(
                            sha256: file.digest.hex, size: bytes, references: row.references,
                            detail: "size \(bytes) differs from the recorded \(row.blob.size)"))
                }
            case .corrupt:
                try await metadata.markBlobCorrupt(sha256: file.digest.hex, at: clock())
                report.blobsChecked += 1
                report.bytesChecked += file.size
                report.corrupt.append(
                    .init(
                        sha256: file.digest.hex, size: file.size, references: row?.references ?? 0,
                        detail: "bytes no longer match the SHA-256"))
            case .vanished:
                continue  // collected since the listing
            case .failed(let error):
                report.corrupt.append(
                    .init(
                        sha256: file.digest.hex, size: file.size, references: row?.references ?? 0,
                        detail: "cannot be read: \(error)"))
            }
        }

        // Only rows that documents use: an unreferenced row without a file is an upload between its
        // reservation and its placement, or one that died there (BlobPlacement), which retention
        // collects; nothing anyone could read is lost.
        let missing = usage.filter { $0.references > 0 && filesByHex[$0.blob.sha256] == nil }
        if !missing.isEmpty {
            // Ask again: a row may have been collected together with its file meanwhile.
            let current = Dictionary(try await metadata.blobUsage().map { ($0.blob.sha256, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in missing {
                guard let now = current[entry.blob.sha256], now.references > 0, let digest = BlobDigest(hex: now.blob.sha256),
                    try await blobs.file(digest) == nil
                else { continue }
                report.missing.append(
                    .init(
                        sha256: now.blob.sha256, size: 0, references: now.references,
                        detail: "the file is gone; the documents that use it cannot be read"))
            }
        }

        report.durationSeconds = Self.seconds(ContinuousClock.now - monotonic)
        let run = JobRunRecord(
            job: "scrub", startedAt: started, finishedAt: clock(), outcome: report.isClean ? "ok" : "problems",
            summary: JobRunMetrics.encode(report.counts), actor: identity.actor)
        try await metadata.recordJobRun(run)
        JobRunMetrics.export(run)
        return report
    }

    private enum Rehash {
        case intact(Int64)
        case corrupt
        case vanished
        case failed(any Error)
    }

    /// Reads the whole blob through the verifying reader, which throws `.corrupt` instead of
    /// returning the last chunk when the bytes do not match.
    private func rehash(_ digest: BlobDigest) async -> Rehash {
        var bytes: Int64 = 0
        do {
            let reader = try await blobs.open(digest)
            defer { reader.close() }
            while let chunk = try await reader.next() { bytes += Int64(chunk.count) }
            return .intact(bytes)
        } catch BlobStoreError.corrupt {
            return .corrupt
        } catch BlobStoreError.notFound {
            return .vanished
        } catch {
            return .failed(error)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
