import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// The bytes of a PutObject or UploadPart, with their length and SHA-256 known before the first byte is sent:
/// the signature covers the digest (never UNSIGNED-PAYLOAD) and `x-amz-checksum-sha256` lets S3 verify what it stores.
public struct S3Payload: Sendable {
    /// The number of bytes.
    public let length: Int64
    /// The SHA-256 of the bytes (32 bytes).
    public let sha256: [UInt8]
    let source: Source

    enum Source: Sendable {
        case bytes(ByteBuffer)
        case stream(@Sendable (UploadProgress) throws -> HTTPClientRequest.Body, replayable: Bool)
    }

    /// Bytes in memory; their SHA-256 is computed here.
    public static func bytes(_ buffer: ByteBuffer) -> S3Payload {
        let digest = buffer.withUnsafeReadableBytes { Array(SHA256.hash(data: $0)) }
        return S3Payload(length: Int64(buffer.readableBytes), sha256: digest, source: .bytes(buffer))
    }

    /// Bytes in memory.
    public static func bytes(_ bytes: some Sequence<UInt8>) -> S3Payload {
        .bytes(ByteBuffer(bytes: Array(bytes)))
    }

    /// Bytes streamed from elsewhere (a spooled file, a part being read), whose length and SHA-256 the caller
    /// already knows. `makeStream` is called once per attempt: with `replayable` it must yield the same bytes
    /// each time (a retry sends them again); without it the request is sent once and never retried.
    /// A stream whose length differs from `length` fails the request (`S3Error.Kind.invalidRequest`).
    public static func stream<Chunks: AsyncSequence & Sendable>(
        length: Int64, sha256: some Sequence<UInt8>, replayable: Bool, _ makeStream: @escaping @Sendable () throws -> Chunks
    ) -> S3Payload where Chunks.Element == ByteBuffer {
        let body: @Sendable (UploadProgress) throws -> HTTPClientRequest.Body = { progress in
            .stream(WatchedChunks(base: try makeStream(), progress: progress), length: .known(length))
        }
        return S3Payload(length: length, sha256: Array(sha256), source: .stream(body, replayable: replayable))
    }

    /// Whether a failed attempt may send the bytes again.
    var replayable: Bool {
        switch source {
        case .bytes: true
        case .stream(_, let replayable): replayable
        }
    }

    /// The hex digest, as signed (x-amz-content-sha256).
    public var sha256Hex: String { SigV4Signer.hex(sha256) }

    /// The base64 digest, as S3 checks it (x-amz-checksum-sha256).
    public var sha256Base64: String { Data(sha256).base64EncodedString() }

    /// `x-amz-checksum-sha256`, which S3 verifies before it stores the bytes, and the algorithm's name as AWS's SDKs
    /// send it (x-amz-sdk-checksum-algorithm): moto records the checksum only when that names it.
    var checksumHeaders: [(String, String)] {
        [("x-amz-sdk-checksum-algorithm", "SHA256"), ("x-amz-checksum-sha256", sha256Base64)]
    }

    /// The body of one attempt, reporting to `progress` each time the connection asks for more.
    func body(_ progress: UploadProgress) throws -> HTTPClientRequest.Body {
        switch source {
        case .bytes(let buffer):
            // In slices, so that a server that stops reading is seen as an upload that stops asking for bytes.
            let slices = stride(from: 0, to: buffer.readableBytes, by: 256 << 10).map {
                buffer.getSlice(at: buffer.readerIndex + $0, length: min(256 << 10, buffer.readableBytes - $0))!
            }
            return .stream(WatchedChunks(base: slices.async, progress: progress), length: .known(length))
        case .stream(let make, _): return try make(progress)
        }
    }
}

/// When an upload last moved. AsyncHTTPClient asks for the next chunk only when the connection can take it, so a
/// server that stops reading (frozen, partitioned) shows as no request for bytes while the body is unfinished:
/// the one stall its own timeouts miss (the read timeout starts after the body's end, the write timeout only while
/// the socket is writable).
final class UploadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now
    private var producing = false
    private var finished = false

    /// The connection asked for bytes: the producer's turn, which is not a stall however long it takes.
    func demanded() { lock.withLock { producing = true } }

    /// A chunk (or the end, nil) was handed over.
    func delivered(end: Bool) {
        lock.withLock {
            producing = false
            finished = finished || end
            last = .now
        }
    }

    /// Whether the body is unfinished and nobody asked for bytes for longer than `limit`.
    func stalled(after limit: Duration) -> Bool {
        lock.withLock { !producing && !finished && last.duration(to: .now) > limit }
    }
}

/// A body's chunks, reporting each request for more to an `UploadProgress`.
struct WatchedChunks<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let progress: UploadProgress

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let progress: UploadProgress

        mutating func next() async throws -> ByteBuffer? {
            progress.demanded()
            let chunk = try await base.next()
            progress.delivered(end: chunk == nil)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), progress: progress) }
}

/// An array as an AsyncSequence.
struct ArrayChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]

    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let chunks: [ByteBuffer]
        mutating func next() async -> ByteBuffer? {
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: chunks) }
}

extension Array where Element == ByteBuffer {
    var async: ArrayChunks { ArrayChunks(chunks: self) }
}

/// The body of a GetObject as it arrives, chunk by chunk: read it to the end (or drop it) promptly, as it
/// holds a connection. A stall longer than the read timeout, or a cut connection, ends it with an `S3Error`.
public struct S3ByteStream: AsyncSequence, Sendable {
    /// A chunk of the body.
    public typealias Element = ByteBuffer

    let body: HTTPClientResponse.Body
    let operation: String
    let resource: String

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let operation: String
        let resource: String

        /// The next chunk, nil at the end of the body.
        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw S3Error.transport(error, operation: operation, resource: resource)
            }
        }
    }

    /// Starts the iteration; a body can be iterated once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), operation: operation, resource: resource)
    }
}

extension S3Error {
    /// A transport failure (no answer, a timeout) as an `S3Error`; cancellation stays `CancellationError`.
    static func transport(_ error: any Error, operation: String, resource: String) -> any Error {
        if error is CancellationError || error is S3Error { return error }
        if let client = error as? HTTPClientError {
            switch client {
            case .cancelled: return CancellationError()
            case .readTimeout, .connectTimeout, .deadlineExceeded, .writeTimeout, .getConnectionFromPoolTimeout:
                return S3Error(kind: .timedOut, operation: operation, resource: resource, message: "\(client)")
            case .bodyLengthMismatch:
                return S3Error(
                    kind: .invalidRequest, operation: operation, resource: resource,
                    message: "the body's length differs from the declared one")
            default: break
            }
        }
        return S3Error(kind: .unreachable, operation: operation, resource: resource, message: "\(error)")
    }
}
