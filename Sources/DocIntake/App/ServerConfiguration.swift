import Antivirus
import Scanner
import Storage

/// How `docintake serve` runs: where the data lives, where it listens, the document cap, and
/// whether it runs the retention job itself.
public struct ServerConfiguration: Sendable {
    /// Holds `docintake.sqlite` (unless `database` is set), `blobs/` and `tmp/`.
    public var dataDirectory: String
    /// The PostgreSQL database several servers share; nil (the default) for SQLite in the data
    /// directory.
    public var database: DatabaseURL?
    /// The S3 bucket several servers share for the documents' bytes; nil (the default) for
    /// `<data>/blobs`. Its endpoint and credentials come from the AWS variables.
    public var blobStore: BlobStoreLocation?
    /// The address to listen on; loopback by default.
    public var host: String
    /// 0 picks a free port (logged at start-up).
    public var port: Int
    /// The per-document cap in bytes; a file of exactly this size is accepted.
    public var maxFileSize: Int64
    /// PBKDF2 rounds for the 秘密の番号; fewer than the default only in tests (no flag sets it).
    public var secretHashRounds: Int
    /// The pepper file, the key mixed into every 秘密の番号 hash; it must be the same file on every
    /// server sharing the database. Nil: `<data>/pepper`, created (mode 0600) on first start.
    public var pepperFile: String?

    /// How often the server runs the retention job itself; nil (the default) never.
    public var retentionInterval: Duration?
    /// The rules that job applies.
    public var retentionPolicy: RetentionPolicy
    /// Deadlines, the minimum upload rate, the cap on concurrent uploads and lingering closes.
    public var connectionLimits = ConnectionLimits()

    /// How long a resumable upload (`/api/v1/uploads`) lives after its creation, complete or not
    /// (`serve --upload-expiry`, 24 h by default); `Upload-Expires` tells the client when.
    public var uploadLifetime: Duration = .seconds(24 * 3600)
    /// How often the server deletes expired uploads and their bytes: every 10 minutes, or at each
    /// expiry when uploads live shorter. An upload past its expiry is refused at once whatever
    /// this is; the sweep only frees its space.
    public var uploadSweepInterval: Duration { min(uploadLifetime, .seconds(600)) }

    /// clamd, which scans every document as it arrives; nil (the default) for no virus scan.
    public var antivirus: ClamdClient?
    /// How often the server scans the stored documents of undecided applications again with
    /// clamd's current signatures (once at a time across servers); nil (the default) never.
    public var rescanInterval: Duration?
    /// The scanner's bounds on hostile documents, e.g. the PNG dimension limits (`--max-image-side`, `--max-image-pixels`).
    public var scanLimits = ScanLimits()

    /// How notices (emails) are sent.
    public var notices: NoticeConfiguration

    /// Where `GET /metrics` is served: a listener of its own, loopback by default, since the
    /// metrics are for the operator's Prometheus, not the public. Nil: no metrics listener.
    public var metricsAddress: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9464)
    /// Clients whose `X-Forwarded-For` names the real client (a reverse proxy in front).
    public var trustedProxies: [String] = []

    /// The embedded defaults: `./data`, 127.0.0.1:8080, 100 MiB.
    public init(
        dataDirectory: String = "./data", host: String = "127.0.0.1", port: Int = 8080,
        maxFileSize: Int64 = DomainFacts.defaultMaxFileSize, secretHashRounds: Int = 210_000,
        retentionInterval: Duration? = nil, retentionPolicy: RetentionPolicy = RetentionPolicy(),
        notices: NoticeConfiguration = NoticeConfiguration()
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.maxFileSize = maxFileSize
        self.secretHashRounds = secretHashRounds
        self.retentionInterval = retentionInterval
        self.retentionPolicy = retentionPolicy
        self.notices = notices
    }
}
