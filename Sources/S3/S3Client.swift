import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A client for one bucket of an S3-compatible store, on one `HTTPClient` of its own.
/// Every request is signed with SigV4 over the payload's real SHA-256; idempotent requests are retried
/// within `S3Configuration.Retry`. Call `shutdown()` before the last reference goes (AsyncHTTPClient insists).
public final class S3Client: Sendable {
    /// Where and how.
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let logger: Logger

    /// A client for `configuration.bucket`. Logs (at debug and warning) operations, keys, statuses and
    /// retries; never a header, a signature or a secret.
    public init(configuration: S3Configuration, logger: Logger = Logger(label: "s3")) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.logger = logger
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: TimeAmount(configuration.timeouts.connect), read: TimeAmount(configuration.timeouts.read))
        // An S3 redirect (wrong region) must surface as an error, not be followed unsigned.
        http.redirectConfiguration = .disallow
        http.connectionPool = .init(idleTimeout: .seconds(30))
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    /// Closes the connections. The client is unusable afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Runs `body` with a client that is shut down afterwards, whether `body` returns or throws.
    @discardableResult
    public static func withClient<T: Sendable>(
        _ configuration: S3Configuration, logger: Logger = Logger(label: "s3"), _ body: (S3Client) async throws -> T
    ) async throws -> T {
        let client = S3Client(configuration: configuration, logger: logger)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: - One request, retried

    /// One S3 call.
    struct Call: Sendable {
        var operation: String
        var method: HTTPMethod
        /// The object key; nil addresses the bucket.
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var payload: S3Payload?
        /// Whether sending it twice does no harm (GET, HEAD, DELETE, a whole PUT, UploadPart).
        var idempotent: Bool
        /// Non-2xx statuses handed back rather than thrown (HEAD's 404).
        var accept: Set<Int> = []

        var resource: String { key ?? "bucket" }
    }

    /// Sends `call`, retrying a retryable failure of an idempotent call with a replayable body, with
    /// jittered exponential backoff, while attempts and the time budget last. Returns the response with
    /// its body not yet read; a non-2xx status not in `accept` is thrown as an `S3Error`.
    func perform(_ call: Call) async throws -> HTTPClientResponse {
        let retry = configuration.retry
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 1
        while true {
            do {
                let response = try await send(call)
                let status = Int(response.status.code)
                if (200..<300).contains(status) || call.accept.contains(status) {
                    logger.debug("s3 call", metadata: ["operation": "\(call.operation)", "key": "\(call.resource)", "status": "\(status)"])
                    return response
                }
                throw await serviceError(call, response)
            } catch {
                let failure = S3Error.transport(error, operation: call.operation, resource: call.resource)
                guard let s3 = failure as? S3Error, s3.isRetryable, call.idempotent, call.payload?.replayable ?? true,
                    attempt < retry.maxAttempts
                else { throw failure }
                let delay = Self.backoff(attempt: attempt, retry: retry)
                guard start.duration(to: clock.now) + delay < retry.budget else { throw failure }
                logger.warning(
                    "s3 call failed, retrying",
                    metadata: [
                        "operation": "\(call.operation)", "key": "\(call.resource)", "attempt": "\(attempt)", "error": "\(s3)",
                    ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// initialBackoff × 2^(attempt-1), capped, then ±50 % so that many clients do not retry in step.
    static func backoff(attempt: Int, retry: S3Configuration.Retry) -> Duration {
        let base = min(retry.initialBackoff * (1 << min(attempt - 1, 20)), retry.maxBackoff)
        return base * Double.random(in: 0.5...1.5)
    }

    private func send(_ call: Call) async throws -> HTTPClientResponse {
        let target = target(key: call.key)
        let signed = signer.sign(
            method: call.method.rawValue, encodedPath: target.encodedPath, query: call.query,
            headers: [("host", target.host)] + call.headers, payloadSHA256: call.payload?.sha256Hex ?? SigV4Signer.emptyPayloadSHA256,
            date: Date())
        let query = SigV4Signer.canonicalQuery(call.query)
        var request = HTTPClientRequest(url: target.origin + target.encodedPath + (query.isEmpty ? "" : "?" + query))
        request.method = call.method
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        let timeouts = configuration.timeouts
        guard let payload = call.payload else {
            if call.method == .PUT || call.method == .POST { request.body = .bytes(ByteBuffer()) }
            return try await http.execute(request, deadline: .now() + TimeAmount(timeouts.request))
        }
        let progress = UploadProgress()
        request.body = try payload.body(progress)
        let bodyTime = Duration.seconds(Double(payload.length) / Double(max(1, timeouts.minimumBytesPerSecond)))
        let deadline = NIODeadline.now() + TimeAmount(timeouts.request + bodyTime)
        let (http, prepared, stall) = (self.http, request, timeouts.read)
        // A watchdog beside the upload: a server that stops taking the body fails it after `read`, not at the deadline.
        return try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
            group.addTask { try await http.execute(prepared, deadline: deadline) }
            group.addTask {
                while true {
                    try await Task.sleep(for: stall / 4)
                    if progress.stalled(after: stall) { return nil }
                }
            }
            defer { group.cancelAll() }
            do {
                if let response = try await group.next() ?? nil { return response }
            } catch  where !progress.stalled(after: stall) {
                throw error
            } catch {}
            throw S3Error(
                kind: .timedOut, operation: call.operation, resource: call.resource,
                message: "the upload stalled: the server took no bytes for \(stall)")
        }
    }

    /// Scheme, host and encoded path of a key (or of the bucket when nil), path style or virtual-hosted.
    func target(key: String?) -> (origin: String, host: String, encodedPath: String) {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        var host = endpoint.host ?? "localhost"
        if host.contains(":") { host = "[\(host)]" }  // IPv6 literal
        if !configuration.pathStyle { host = configuration.bucket + "." + host }
        if let port = endpoint.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) { host += ":\(port)" }
        var path = endpoint.path
        while path.hasSuffix("/") { path.removeLast() }
        if configuration.pathStyle { path += "/" + configuration.bucket }
        if let key { path += "/" + key } else if path.isEmpty { path = "/" }
        return ("\(scheme)://\(host)", host, SigV4Signer.encodePath(path))
    }

    /// The `S3Error` an error answer describes: code and message from its `<Error>` body, or from the status
    /// alone for HEAD, whose answers have no body.
    func serviceError(_ call: Call, _ response: HTTPClientResponse) async -> S3Error {
        let status = Int(response.status.code)
        let requestID = response.headers.first(name: "x-amz-request-id")
        let body = try? await response.body.collect(upTo: 1 << 20)
        if let body, let error = Self.errorElement(body) {
            return S3Error(
                kind: .service, operation: call.operation, resource: call.resource, status: status, code: error["Code"],
                message: error["Message"], requestID: error["RequestId"] ?? requestID)
        }
        let code: String? =
            switch status {
            case 301, 307: "PermanentRedirect"
            case 400: "BadRequest"
            case 403: "Forbidden"
            case 404: call.key == nil ? "NoSuchBucket" : "NotFound"
            case 503: "ServiceUnavailable"
            default: nil
            }
        var message = response.status.reasonPhrase
        if let region = response.headers.first(name: "x-amz-bucket-region"), region != configuration.region {
            message += "; the bucket is in region \(region), not \(configuration.region)"
        }
        return S3Error(
            kind: .service, operation: call.operation, resource: call.resource, status: status, code: code, message: message,
            requestID: requestID)
    }

    /// The `<Error>` element of a body, if that is what it is.
    static func errorElement(_ body: ByteBuffer) -> S3XMLElement? {
        guard body.readableBytes > 0, let root = S3XMLElement.parse(Data(body.readableBytesView)), root.name == "Error" else {
            return nil
        }
        return root
    }

    /// Reads a small answer (XML) whole; a 200 whose body is an `<Error>` (CopyObject, CompleteMultipartUpload)
    /// is thrown as the error it is.
    func xmlBody(_ call: Call, _ response: HTTPClientResponse) async throws -> S3XMLElement {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw S3Error.transport(error, operation: call.operation, resource: call.resource)
        }
        if let error = Self.errorElement(body) {
            throw S3Error(
                kind: .service, operation: call.operation, resource: call.resource, status: Int(response.status.code),
                code: error["Code"], message: error["Message"], requestID: error["RequestId"])
        }
        guard let root = S3XMLElement.parse(Data(body.readableBytesView)) else {
            throw S3Error(kind: .invalidResponse, operation: call.operation, resource: call.resource, message: "not XML")
        }
        return root
    }

    /// Reads and drops a body that carries nothing (PUT, DELETE), so that the connection is free again.
    func drain(_ call: Call, _ response: HTTPClientResponse) async throws {
        do {
            for try await _ in response.body {}
        } catch {
            throw S3Error.transport(error, operation: call.operation, resource: call.resource)
        }
    }
}
