import Foundation

/// An access key: the identity a request is signed with.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (AKIA…, or ASIA… for temporary credentials); not a secret.
    public var accessKeyId: String
    /// The secret access key. Never printed, logged or sent: only the signature derived from it is.
    public var secretAccessKey: String
    /// The session token of temporary credentials (sent as x-amz-security-token), else nil.
    public var sessionToken: String?

    /// Credentials from their parts.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key id only: the secret and the session token stay out of every log line.
    public var description: String {
        "S3Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    /// Same as `description`: a debugger print must not reveal the secret either.
    public var debugDescription: String { description }
}

/// Where the bucket is and how long the client waits for it.
public struct S3Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How long the client waits. An S3 server that stops answering (paused, partitioned) surfaces as
    /// `S3Error.Kind.timedOut` after `read` (or `connect`), never as a hang.
    public struct Timeouts: Sendable, Hashable {
        /// Establishing a connection.
        public var connect: Duration
        /// Silence while awaiting the answer or between two chunks of a body being read.
        public var read: Duration
        /// The whole request up to the answer's head, for a request without a body; a request with a body
        /// gets `request` plus its length at `minimumBytesPerSecond` on top.
        public var request: Duration
        /// The slowest upload rate still accepted when a request's deadline is computed.
        public var minimumBytesPerSecond: Int64

        /// Timeouts for a server on a network: 3 s to connect, 10 s of silence, 30 s per request plus 1 MiB/s of body.
        public init(
            connect: Duration = .seconds(3), read: Duration = .seconds(10), request: Duration = .seconds(30),
            minimumBytesPerSecond: Int64 = 1 << 20
        ) {
            self.connect = connect
            self.read = read
            self.request = request
            self.minimumBytesPerSecond = minimumBytesPerSecond
        }
    }

    /// The bounded retry of idempotent requests (GET, HEAD, DELETE, a PUT or UploadPart whose body can be
    /// sent again) after a retryable failure (`S3Error.isRetryable`).
    public struct Retry: Sendable, Hashable {
        /// Attempts in all, the first included; 1 turns retrying off.
        public var maxAttempts: Int
        /// The wait before the second attempt; doubled for each further one, with jitter.
        public var initialBackoff: Duration
        /// The longest single wait.
        public var maxBackoff: Duration
        /// No further attempt starts once this much time has passed since the first began, so that an
        /// unreachable server fails a request in bounded time.
        public var budget: Duration

        /// Three attempts, 100 ms then 200 ms apart (±50 %), none started after 10 s.
        public init(
            maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2),
            budget: Duration = .seconds(10)
        ) {
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.budget = budget
        }
    }

    /// The service endpoint, e.g. `https://s3.ap-northeast-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: URL
    /// The region requests are signed for (MinIO and moto accept `us-east-1`).
    public var region: String
    /// The bucket every call of a client addresses.
    public var bucket: String
    /// Who signs.
    public var credentials: S3Credentials
    /// `https://endpoint/bucket/key` (MinIO, Ceph, moto, a bare IP) instead of `https://bucket.endpoint/key` (AWS).
    public var pathStyle: Bool
    /// How long to wait.
    public var timeouts: Timeouts
    /// How to retry.
    public var retry: Retry

    /// A configuration from its parts.
    public init(
        endpoint: URL, region: String = "us-east-1", bucket: String, credentials: S3Credentials, pathStyle: Bool,
        timeouts: Timeouts = Timeouts(), retry: Retry = Retry()
    ) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.credentials = credentials
        self.pathStyle = pathStyle
        self.timeouts = timeouts
        self.retry = retry
    }

    /// The configuration the standard AWS variables describe: `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`
    /// (default: AWS's regional endpoint), `AWS_REGION` (default `us-east-1`), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
    /// - Throws: `S3ConfigurationError` naming the variable that is missing or malformed.
    public static func fromEnvironment(
        bucket: String, pathStyle: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(S3ConfigurationError) -> S3Configuration {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func required(_ name: String) throws(S3ConfigurationError) -> String {
            guard let found = value(name) else { throw .missing(name) }
            return found
        }
        guard !bucket.isEmpty else { throw .invalid(variable: "bucket", reason: "the bucket name is empty") }
        let region = value("AWS_REGION") ?? "us-east-1"
        let endpoint: URL
        if let (name, text) = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"].lazy.compactMap({ n in value(n).map { (n, $0) } }).first {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                url.host != nil
            else { throw .invalid(variable: name, reason: "not an http(s) URL") }
            endpoint = url
        } else {
            endpoint = URL(string: "https://s3.\(region).amazonaws.com")!
        }
        let credentials = S3Credentials(
            accessKeyId: try required("AWS_ACCESS_KEY_ID"), secretAccessKey: try required("AWS_SECRET_ACCESS_KEY"),
            sessionToken: value("AWS_SESSION_TOKEN"))
        return S3Configuration(endpoint: endpoint, region: region, bucket: bucket, credentials: credentials, pathStyle: pathStyle)
    }

    /// Endpoint, region, bucket and access key id; never the secret or the session token.
    public var description: String {
        "S3Configuration(endpoint: \(Self.redacted(endpoint)), region: \(region), bucket: \(bucket), pathStyle: \(pathStyle), "
            + "credentials: \(credentials))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// The endpoint without a user or password it may carry.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<endpoint>" }
        if components.user != nil || components.password != nil {
            components.user = nil
            components.password = nil
        }
        return components.string ?? "<endpoint>"
    }
}

/// Why `S3Configuration.fromEnvironment` could not build a configuration.
public enum S3ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required variable is unset or empty.
    case missing(String)
    /// A variable is set but unusable.
    case invalid(variable: String, reason: String)

    /// A sentence naming the variable.
    public var description: String {
        switch self {
        case .missing(let name): "\(name) is not set: S3 needs it (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY sign every request)"
        case .invalid(let name, let reason): "\(name) is unusable: \(reason)"
        }
    }
}
