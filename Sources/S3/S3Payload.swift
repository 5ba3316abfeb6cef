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
        case stream(@Sendable () throws -> HTTPClientRequest.Body, replayable: Bool)
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
        let body: @Sendable () throws -> HTTPClientRequest.Body = { .stream(try makeStream(), length: .known(length)) }
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

    /// The body of one attempt.
    func body() throws -> HTTPClientRequest.Body {
        switch source {
        case .bytes(let buffer): return .bytes(buffer)
        case .stream(let make, _): return try make()
        }
    }
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
