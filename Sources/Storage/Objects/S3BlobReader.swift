import Crypto
import NIOCore
import S3
import Synchronization

/// Reads an object as it streams from the store, hashing it and holding one chunk back until the
/// whole object matched its digest, as `FileBlobReader` does with a file.
final class S3BlobReader: BlobReader, @unchecked Sendable {
    let size: Int64
    private let digest: BlobDigest
    // One consumer at a time (the protocol's rule), so these need no lock.
    private var body: S3ByteStream.AsyncIterator?
    private var hasher = SHA256()
    private var pending: [UInt8]?
    private var received: Int64 = 0
    private var finished = false

    init(object: S3Object, digest: BlobDigest) {
        self.size = object.totalSize
        self.digest = digest
        self.body = object.body.makeAsyncIterator()
    }

    func next() async throws -> [UInt8]? {
        if finished { return nil }
        if pending == nil { pending = try await readChunk() }
        guard let current = pending else { return try finish(nil) }
        let following = try await readChunk()
        pending = following
        if following == nil { return try finish(current) }
        return current
    }

    func skip(_ count: Int64) async throws {
        precondition(pending == nil && !finished, "skip before the first read")
        var remaining = count
        while remaining > 0, let chunk = try await readChunk(limit: remaining) {
            remaining -= Int64(chunk.count)
        }
    }

    func close() {
        body = nil
    }

    private func finish(_ last: [UInt8]?) throws -> [UInt8]? {
        finished = true
        body = nil
        guard received == size, BlobDigest(hasher.finalize()) == digest else { throw BlobStoreError.corrupt(digest) }
        return last
    }

    /// The next chunk (hashed), at most `limit` bytes of it, the rest kept for the next call.
    private var leftover: ByteBuffer?
    private func readChunk(limit: Int64 = .max) async throws -> [UInt8]? {
        var buffer: ByteBuffer
        if let kept = leftover {
            buffer = kept
            leftover = nil
        } else {
            guard body != nil, let next = try await nextBuffer() else { return nil }
            buffer = next
        }
        if Int64(buffer.readableBytes) > limit {
            leftover = buffer.getSlice(at: buffer.readerIndex + Int(limit), length: buffer.readableBytes - Int(limit))
            buffer = buffer.getSlice(at: buffer.readerIndex, length: Int(limit))!
        }
        let bytes = Array(buffer.readableBytesView)
        hasher.update(data: bytes)
        received += Int64(bytes.count)
        return bytes
    }

    private func nextBuffer() async throws -> ByteBuffer? {
        do {
            return try await body?.next()
        } catch let error as S3Error {
            throw S3BlobStore.mapped(error, digest: digest)
        }
    }
}
