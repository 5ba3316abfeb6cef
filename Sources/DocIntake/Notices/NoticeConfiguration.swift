import Foundation

/// How `docintake serve` sends notices: the sender, the transport, and the retry timing.
public struct NoticeConfiguration: Sendable {
    /// The From address (`--mail-from`, `DOCINTAKE_MAIL_FROM`).
    public var mailFrom: String
    /// A sendmail-compatible program to pipe each message to; nil (the default) writes `.eml`
    /// files into `<data>/outbox/`.
    public var sendmailPath: String?
    /// Whether the server delivers notices itself (the default), or leaves them to other servers
    /// sharing the database and to `docintake notices --deliver`.
    public var deliversInServer = true
    /// How often the outbox is checked for due notices (a committed notice wakes the deliverers
    /// at once; this is for retries falling due).
    public var pollInterval: Duration
    /// The wait after the first failed attempt; it doubles with each further failure…
    public var firstRetryDelay: Duration
    /// …up to this.
    public var maxRetryDelay: Duration
    /// How long a claimed notice is reserved for the server that claimed it; another server
    /// retries it only after this, should the first die mid-delivery.
    public var lease: Duration
    /// How long the sendmail program may take before it is killed and the attempt fails.
    public var sendmailTimeout: Duration
    /// The service's address as applicants reach it (`--public-url`); every notice links the
    /// status page under it.
    public var publicURL: String
    /// The contact point (窓口) every notice names (`--contact`).
    public var contact: String

    /// The address of a server run with the defaults on this machine.
    public static let defaultPublicURL = "http://127.0.0.1:8080"
    /// A contact line for a deployment that configured none.
    public static let defaultContact = "オンライン資格確認 利用申請受付窓口"

    /// The defaults: `.eml` files from `no-reply@localhost`, polled every second, retried after
    /// 10 s doubling to 1 h.
    public init(
        mailFrom: String = "no-reply@localhost", sendmailPath: String? = nil,
        pollInterval: Duration = .seconds(1), firstRetryDelay: Duration = .seconds(10),
        maxRetryDelay: Duration = .seconds(3600), lease: Duration = .seconds(600),
        sendmailTimeout: Duration = .seconds(60), publicURL: String = Self.defaultPublicURL,
        contact: String = Self.defaultContact
    ) {
        self.mailFrom = mailFrom
        self.sendmailPath = sendmailPath
        self.pollInterval = pollInterval
        self.firstRetryDelay = firstRetryDelay
        self.maxRetryDelay = maxRetryDelay
        self.lease = lease
        self.sendmailTimeout = sendmailTimeout
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.contact = contact
    }

    /// The status page of one application (申請状況の確認).
    func statusPageURL(applicationId: String) -> String {
        publicURL + "/applications/" + (applicationId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? applicationId)
    }

    /// The wait before the next attempt after `attempts` failed ones: doubling, capped.
    func retryDelay(afterAttempts attempts: Int) -> Duration {
        let doublings = min(max(attempts - 1, 0), 30)
        let delay = firstRetryDelay * (1 << doublings)
        return min(delay, maxRetryDelay)
    }
}
