import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import S3TestSupport
import Testing

@testable import S3

/// What the tests' S3 (moto) does with bad checksums, and what the client does when S3 is slow, paused or failing.
/// It pauses servers and waits out timeouts, so it runs apart from the crowded full run, as CI's outage step
/// (`DOCINTAKE_OUTAGE_TESTS=1`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOCINTAKE_OUTAGE_TESTS"] == "1"))
struct S3FaultTests {
    /// moto does NOT verify payloads: a body whose signed x-amz-content-sha256 and x-amz-checksum-sha256 belong to
    /// other bytes is stored as sent (real S3 answers 400 XAmzContentSHA256Mismatch / BadDigest). So a test of
    /// integrity on read must tamper with stored objects itself. Should moto ever start checking, this fails and says so.
    @Test func motoStoresABodyWhoseHashesAreWrong() async throws {
        try await S3ClientTests.withBucket { client in
            let sent = S3ClientTests.bytes(4_096, seed: 30)
            let claimed = S3ClientTests.bytes(4_096, seed: 31)
            let lying = S3Payload(length: 4_096, sha256: Array(SHA256.hash(data: claimed)), source: .bytes(ByteBuffer(bytes: sent)))
            try await client.putObject(key: "both-wrong", payload: lying)
            #expect(try await S3ClientTests.read(try await client.getObject(key: "both-wrong")) == sent)
            // The checksum moto keeps (and reports) is the claimed one, not the stored bytes'.
            #expect(try await client.headObject(key: "both-wrong")?.checksumSHA256 == S3ClientTests.base64SHA256(claimed))

            // The payload hash right (so the signature matches) but x-amz-checksum-sha256 wrong: stored as well.
            let call = S3Client.Call(
                operation: "PutObject", method: .PUT, key: "checksum-wrong",
                headers: [("x-amz-sdk-checksum-algorithm", "SHA256"), ("x-amz-checksum-sha256", S3ClientTests.base64SHA256(claimed))],
                payload: .bytes(sent), idempotent: true)
            try await client.drain(call, try await client.perform(call))
            #expect(try await S3ClientTests.read(try await client.getObject(key: "checksum-wrong")) == sent)
        }
    }

    /// A frozen server (SIGSTOP: the kernel still accepts connections, nothing answers) fails each call with a
    /// timeout, not a hang: a request, a download cut midway and an upload; once resumed, the same client works
    /// and the objects are intact. The guards allow for a loaded machine and still catch a wait for a deadline.
    @Test func pausedServerTimesOut() async throws {
        let server = try await MotoServer.launch()
        do {
            let setUp = try await server.freshBucket()
            // More than the loopback socket buffers hold, so that a frozen server leaves the transfer stuck midway.
            let big = [UInt8](repeating: 0xA5, count: 24 << 20)
            try await S3Client.withClient(setUp) { client in
                try await client.putObject(key: "kept", payload: .bytes([7, 7, 7]))
                try await client.putObject(key: "big", payload: .bytes(big))
            }
            var configuration = setUp
            configuration.timeouts = .init(connect: .seconds(2), read: .seconds(2), request: .seconds(5))
            configuration.retry = .init(maxAttempts: 3, initialBackoff: .milliseconds(50), budget: .seconds(4))
            try await S3Client.withClient(configuration) { client in
                let download = try await client.getObject(key: "big")
                let started = AsyncStream<Void>.makeStream()
                let reader = Task { () -> S3Error? in
                    var chunks = download.body.makeAsyncIterator()
                    _ = try? await chunks.next()
                    started.continuation.finish()
                    do {
                        while try await chunks.next() != nil {}
                        return nil
                    } catch {
                        return error as? S3Error
                    }
                }
                for await _ in started.stream {}
                try await server.pause()

                let error = try await within(.seconds(45)) {
                    try await #require(throws: S3Error.self) { _ = try await client.getObject(key: "kept") }
                }
                #expect(error.kind == .timedOut)
                #expect(error.isUnavailable)

                // A download cut midway ends with an error, not a hang and not a short success.
                let cut = try await within(.seconds(45)) { await reader.value }
                #expect(cut?.kind == .timedOut)

                // An upload the server stops taking midway (far more than loopback's 32 MiB receive buffer plus the 4 MiB
                // send buffer): the read timeout (once AsyncHTTPClient has queued the whole body) or the upload's
                // watchdog (when it waits for the socket) ends each attempt, not the 5 s + 160 s deadline.
                let bigger = ByteBuffer(repeating: 0x5A, count: 160 << 20)
                let put = try await within(.seconds(45)) {
                    try await #require(throws: S3Error.self) { try await client.putObject(key: "new", payload: .bytes(bigger)) }
                }
                #expect(put.isUnavailable, "\(put)")
                try await server.resume()
                #expect(try await S3ClientTests.read(try await client.getObject(key: "kept")) == [7, 7, 7])
                #expect(try await client.headObject(key: "big")?.size == Int64(big.count))
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// A server that accepts the connection and then reads nothing (a frozen process, a dead peer behind a live
    /// kernel): the body fills the socket buffers and stops. The upload's watchdog ends it after the read timeout,
    /// where AsyncHTTPClient alone would wait for the deadline (2 s + 16 MiB at 16 KiB/s, 17 minutes).
    @Test func uploadToAServerThatStopsReading() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
        let configuration = S3Configuration(
            endpoint: URL(string: "http://127.0.0.1:\(silent.localAddress?.port ?? 0)")!, bucket: "b",
            credentials: S3Credentials(accessKeyId: "AKID", secretAccessKey: "secret"), pathStyle: true,
            timeouts: .init(connect: .seconds(2), read: .seconds(2), request: .seconds(2), minimumBytesPerSecond: 16 << 10),
            retry: .init(maxAttempts: 1))
        // Read as a spooled file is, chunk by chunk with a pause between: the event loop then sees the socket full
        // and AsyncHTTPClient stops asking for more (an in-memory body can be queued whole before it notices).
        let chunk = ByteBuffer(repeating: 0x42, count: 64 << 10)
        let payload = S3Payload.stream(length: 16 << 20, sha256: [UInt8](repeating: 0, count: 32), replayable: true) {
            PacedChunks(chunk: chunk, count: 256)
        }
        try await S3Client.withClient(configuration) { client in
            let error = try await within(.seconds(60)) {
                try await #require(throws: S3Error.self) { try await client.putObject(key: "k", payload: payload) }
            }
            #expect(error.kind == .timedOut, "\(error)")
        }
        try await silent.close()
    }

    /// Nothing listens: connection refused, reported as unreachable, retried within the budget, then thrown.
    @Test func refusedConnectionIsUnreachable() async throws {
        let port = try await ScriptedS3.freePort()
        let configuration = S3Configuration(
            endpoint: URL(string: "http://127.0.0.1:\(port)")!, bucket: "b",
            credentials: S3Credentials(accessKeyId: "AKID", secretAccessKey: "secret"), pathStyle: true,
            retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(10)))
        try await S3Client.withClient(configuration) { client in
            let error = try await #require(throws: S3Error.self) { try await client.headBucket() }
            #expect(error.kind == .unreachable)
            #expect(error.isRetryable)
            #expect(error.status == nil)
            #expect(!"\(error)".contains("secret"))
        }
    }

    /// 503 SlowDown and 500 InternalError are retried (GET, HEAD, PUT with a replayable body); a 400 is not, and
    /// neither is a call that must not be sent twice (CreateMultipartUpload).
    @Test func serverErrorsAreRetried() async throws {
        let server = try await ScriptedS3.start()
        // A budget no loaded machine reaches: this test counts attempts, it does not time them.
        let configuration = S3Configuration(
            endpoint: URL(string: "http://127.0.0.1:\(server.port)")!, bucket: "b",
            credentials: S3Credentials(accessKeyId: "AKID", secretAccessKey: "secret"), pathStyle: true,
            retry: .init(maxAttempts: 3, initialBackoff: .milliseconds(10), budget: .seconds(600)))
        try await S3Client.withClient(configuration) { client in
            server.script([503, 500, 200])
            try await client.headBucket()
            #expect(server.requests() == ["HEAD /b", "HEAD /b", "HEAD /b"])

            server.script([503, 200])
            try await client.putObject(key: "k", payload: .bytes([1, 2]))
            #expect(server.requests() == ["PUT /b/k", "PUT /b/k"])

            server.script([503, 503, 503, 200])
            let exhausted = try await #require(throws: S3Error.self) { _ = try await client.listObjectsV2() }
            #expect(exhausted.code == "SlowDown")
            #expect(exhausted.requestID == "scripted-503")
            #expect(server.requests().count == 3)

            server.script([400])
            let refused = try await #require(throws: S3Error.self) { try await client.deleteObject(key: "k") }
            #expect(refused.code == "InvalidArgument")
            #expect(server.requests().count == 1)

            server.script([503])
            let once = try await #require(throws: S3Error.self) { _ = try await client.createMultipartUpload(key: "k") }
            #expect(once.status == 503)
            #expect(server.requests().count == 1)
        }
        try await server.close()
    }
}

/// What `body` returns, unless it takes longer than `limit`: then the test fails at once with `Hung` rather than
/// wait for a deadline minutes away. The body is cancelled but not awaited, since what hangs may ignore that.
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.start(continuation)
        let work = Task {
            do {
                outcome.finish(.success(try await body()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: limit)
            if outcome.finish(.failure(Hung(limit: limit))) { work.cancel() }
        }
    }
}

/// Resumes a continuation with the first outcome only.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let result: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let waiting: CheckedContinuation<T, any Error>?? = lock.withLock {
            if early != nil { return .none }
            early = result
            defer { continuation = nil }
            return .some(continuation)
        }
        guard case .some(let continuation) = waiting else { return false }
        continuation?.resume(with: result)
        return true
    }
}

/// A call still waiting at its test's guard.
struct Hung: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "still waiting after \(limit)" }
}

/// `count` copies of `chunk`, a millisecond apart.
struct PacedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunk: ByteBuffer
    let count: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunk: ByteBuffer
        var left: Int

        mutating func next() async throws -> ByteBuffer? {
            guard left > 0 else { return nil }
            left -= 1
            try await Task.sleep(for: .milliseconds(1))
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunk: chunk, left: count) }
}

/// A stand-in S3 on loopback that answers each request with the next status of its script (then 200), with
/// S3's error body, and records what it was asked: the only way to provoke a 5xx on demand.
final class ScriptedS3: Sendable {
    let port: Int
    private let channel: any Channel
    private let state: NIOLockedValueBox<(statuses: [Int], requests: [String])>

    private init(port: Int, channel: any Channel, state: NIOLockedValueBox<(statuses: [Int], requests: [String])>) {
        self.port = port
        self.channel = channel
        self.state = state
    }

    static func start() async throws -> ScriptedS3 {
        let state = NIOLockedValueBox<(statuses: [Int], requests: [String])>(([], []))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(state: state)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedS3(port: channel.localAddress?.port ?? 0, channel: channel, state: state)
    }

    /// A loopback port nothing listens on (bound, then released).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// The statuses of the next requests, in order; the requests recorded so far are forgotten.
    func script(_ statuses: [Int]) {
        state.withLockedValue { $0 = (statuses, []) }
    }

    /// "METHOD /path" of each request since the last `script`.
    func requests() -> [String] { state.withLockedValue { $0.requests } }

    func close() async throws { try await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: NIOLockedValueBox<(statuses: [Int], requests: [String])>
        var head: HTTPRequestHead?

        init(state: NIOLockedValueBox<(statuses: [Int], requests: [String])>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let path = String(head.uri.prefix { $0 != "?" })
                let status = state.withLockedValue { state in
                    state.requests.append("\(head.method.rawValue) \(path)")
                    return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
                }
                let code = [500: "InternalError", 503: "SlowDown", 400: "InvalidArgument"][status] ?? "Other"
                var body = ""
                if status >= 300 {
                    body = "<Error><Code>\(code)</Code><Message>scripted</Message><RequestId>scripted-\(status)</RequestId></Error>"
                } else if head.uri.contains("uploads") {
                    body = "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
                } else if head.method == .GET {
                    body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
                }
                if head.method == .HEAD { body = "" }
                var headers = HTTPHeaders([("content-length", "\(body.utf8.count)")])
                if status == 200 { headers.add(name: "etag", value: "\"e\"") }
                let responseHead = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
