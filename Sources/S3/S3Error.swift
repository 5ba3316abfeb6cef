/// Why an S3 call failed: the server's answer (status, S3 code and message, request id), or no answer at all.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The server answered with an error status (or a 200 whose body is an `<Error>`).
        case service
        /// No answer: connection refused, reset or closed early.
        case unreachable
        /// No answer in time: connecting, awaiting the head, or reading the body stalled.
        case timedOut
        /// The server answered something this client cannot read.
        case invalidResponse
        /// The request itself was wrong before it was sent (e.g. a body shorter than its declared length).
        case invalidRequest
    }

    /// What kind of failure.
    public let kind: Kind
    /// The S3 operation (`PutObject`, `GetObject`, …).
    public let operation: String
    /// The key or bucket the call addressed.
    public let resource: String
    /// The HTTP status, when the server answered.
    public let status: Int?
    /// S3's error code (`NoSuchKey`, `SignatureDoesNotMatch`, `SlowDown`, …), when the server said one.
    public let code: String?
    /// S3's error message, or the transport's reason.
    public let message: String?
    /// `x-amz-request-id`, for a support case.
    public let requestID: String?

    /// An error from its parts.
    public init(
        kind: Kind, operation: String, resource: String, status: Int? = nil, code: String? = nil, message: String? = nil,
        requestID: String? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.resource = resource
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Whether the same request may succeed if sent again: no answer or a timeout, a 5xx, 429 or
    /// S3's throttling and transient codes. A 4xx that is not throttling never is.
    public var isRetryable: Bool {
        switch kind {
        case .unreachable, .timedOut: return true
        case .invalidResponse, .invalidRequest: return false
        case .service:
            if let code, Self.retryableCodes.contains(code) { return true }
            guard let status else { return false }
            return status >= 500 || status == 429
        }
    }

    /// The server could not be reached or did not answer in time: the store is unavailable rather than refusing.
    public var isUnavailable: Bool { kind == .unreachable || kind == .timedOut || (kind == .service && isRetryable) }

    /// The key, upload or bucket does not exist (404).
    public var isNotFound: Bool { kind == .service && status == 404 }

    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling",
        "ThrottlingException",
    ]

    /// One line: operation, resource, status, code, message and request id.
    public var description: String {
        var parts = ["S3 \(operation) \(resource)"]
        switch kind {
        case .service: parts.append("failed with HTTP \(status.map(String.init) ?? "?")")
        case .unreachable: parts.append("failed: the S3 endpoint is unreachable")
        case .timedOut: parts.append("failed: the S3 endpoint did not answer in time")
        case .invalidResponse: parts.append("failed: unreadable answer")
        case .invalidRequest: parts.append("failed: invalid request")
        }
        if let code { parts.append(code) }
        if let message { parts.append("(\(message))") }
        if let requestID { parts.append("request id \(requestID)") }
        return parts.joined(separator: " ")
    }
}
