import Foundation
import NIOCore
import S3
import Synchronization

/// Copies one blob from the data directory into the bucket, at the key the S3 store reads it from.
///
/// The bytes stream from the file through the verifying reader that downloads use: 256 KiB at a
/// time, hashed as they go, the last chunk held back until the whole file matched its name. So a
/// blob that fails verification never completes its PutObject (nothing is stored), and memory stays
/// constant whatever the size. The request itself carries the digest (signed, and as
/// `x-amz-checksum-sha256`), so S3 verifies the bytes it receives once more.
struct BlobCopier: Sendable {
    let source: FileBlobStore
    let target: S3BlobStore

    /// What became of one blob.
    enum Outcome: Sendable, Equatable {
        /// Sent now; that many bytes.
        case copied(Int64)
        /// The bucket already held an intact copy (its size and S3-verified SHA-256 are the digest's).
        case present
        /// Not copied: its file does not hash to its name, or is not the size the metadata says.
        case corrupt
        /// Not copied: the data directory has no file for it.
        case missing
    }

    func copy(_ blob: BlobRecord) async throws -> Outcome {
        guard let digest = BlobDigest(hex: blob.sha256) else { return .corrupt }
        let key = target.key(of: digest)
        let checksum = Data(digest.bytes).base64EncodedString()
        if let existing = try await target.client.headObject(key: key), existing.size == blob.size, existing.checksumSHA256 == checksum {
            return .present
        }
        guard let file = try await source.file(digest) else { return .missing }
        guard file.size == blob.size else { return .corrupt }
        let failed = VerificationFailure()
        let payload = S3Payload.stream(length: file.size, sha256: digest.bytes, replayable: true) { [source] in
            // A retry reads the file again; after a verification failure there is no point.
            if failed.seen { throw BlobStoreError.corrupt(digest) }
            return VerifiedChunks(reader: try FileBlobReader(path: source.path(of: digest), digest: digest), failed: failed)
        }
        do {
            let result = try await target.client.putObject(key: key, payload: payload)
            if let stored = result.checksumSHA256, stored != checksum {
                throw BlobStoreError.unavailable("S3 stored \(key) with SHA-256 \(stored), not \(checksum)")
            }
            return .copied(file.size)
        } catch {
            if failed.seen { return .corrupt }
            throw S3BlobStore.mapped(error, digest: digest)
        }
    }
}

/// A verifying reader's chunks as a request body; remembers in `failed` that the bytes did not match.
private struct VerifiedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let reader: any BlobReader
    let failed: VerificationFailure

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: any BlobReader
        let failed: VerificationFailure

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await reader.next().map { ByteBuffer(bytes: $0) }
            } catch BlobStoreError.corrupt(let digest) {
                failed.record()
                throw BlobStoreError.corrupt(digest)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, failed: failed) }
}

/// Whether a blob's bytes failed verification during an attempt to send them.
private final class VerificationFailure: Sendable {
    private let state = Mutex(false)

    var seen: Bool { state.withLock { $0 } }

    func record() { state.withLock { $0 = true } }
}
