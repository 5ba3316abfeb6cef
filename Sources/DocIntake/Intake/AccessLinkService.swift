import Foundation
import Logging
import Storage

/// 「アクセス用のリンクを再送する」: an applicant who lost the access token gives the 受付番号 and
/// the contact email; when the pair matches, a notice with a fresh link is queued. The answer is
/// the same either way, so the form cannot be used to learn which pairs exist; the limiter keeps
/// anyone from trying many. The new token is made only when the notice is sent (see
/// `NoticeDeliverer`), so it is never stored in plain text, and sending it revokes the old one.
struct AccessLinkService: Sendable {
    let metadata: any MetadataStore
    let limiter: AccessLinkLimiter
    let clock: @Sendable () -> Date

    /// Queues the link if `receiptNumber` and `email` belong together. Throws `.rateLimited`
    /// when this 受付番号 or this client asked too often, before looking anything up.
    func request(receiptNumber: String, email: String, client: String) async throws {
        let receipt = ReceiptNumber.normalised(receiptNumber) ?? receiptNumber.trimmingCharacters(in: .whitespaces)
        if let wait = await limiter.admit(receiptNumber: receipt, client: client) { throw AccessLinkError.rateLimited(retryAfter: wait) }
        let metadata = self.metadata
        let now = clock()
        let email = FormValue.normalised(email)?.lowercased()
        // The lookup and the write run after the answer: their time, and any error of theirs (a
        // full disk only a matched pair would meet), must not tell the caller whether the pair exists.
        Task.detached {
            do {
                do {
                    guard let id = try await metadata.applicationId(receiptNumber: receipt),
                        let record = try await metadata.application(id: id),
                        let email, record.contactEmail.lowercased() == email
                    else { return }
                    let notice = AccessLinkNotice(receiptNumber: record.receiptNumber, institutionName: record.institutionName)
                    try await metadata.queueNotice(
                        OutboxMessage(
                            applicationId: id, kind: NoticeKind.accessLink.rawValue, recipient: record.contactEmail,
                            payload: try notice.json(), createdAt: now),
                        audit: AuditEntry(applicationId: id, at: now, actor: "applicant", action: "access_link_requested"))
                }
            } catch {
                Self.logger.error("an access link could not be queued", metadata: ["error": .string(String(describing: error))])
            }
        }
    }

    private static let logger = Logger(label: "docintake.access-links")
}

/// Why a request for a fresh access link was refused.
enum AccessLinkError: Error, Sendable, Equatable {
    /// Too many requests for this 受付番号 or from this client; try again after this many seconds.
    case rateLimited(retryAfter: Int)
}

/// How often a fresh access link may be asked for: per 受付番号 and per client address, each
/// within a sliding window. Kept in memory: a restart forgets it, which only gives a few more tries.
actor AccessLinkLimiter {
    let perReceipt: Int
    let perClient: Int
    let window: TimeInterval
    private let clock: @Sendable () -> Date
    private var receipts: [String: [Date]] = [:]
    private var clients: [String: [Date]] = [:]

    init(perReceipt: Int = 3, perClient: Int = 10, window: TimeInterval = 3600, clock: @escaping @Sendable () -> Date = Date.init) {
        self.perReceipt = perReceipt
        self.perClient = perClient
        self.window = window
        self.clock = clock
    }

    /// Records a request and returns nil, or the seconds to wait when either limit is reached
    /// (a refused request is not counted).
    func admit(receiptNumber: String, client: String) -> Int? {
        let now = clock()
        let start = now.addingTimeInterval(-window)
        let byReceipt = (receipts[receiptNumber] ?? []).filter { $0 > start }
        let byClient = (clients[client] ?? []).filter { $0 > start }
        receipts[receiptNumber] = byReceipt
        clients[client] = byClient
        var oldest: [Date] = []
        if byReceipt.count >= perReceipt, let first = byReceipt.first { oldest.append(first) }
        if byClient.count >= perClient, let first = byClient.first { oldest.append(first) }
        if let earliest = oldest.max() {
            return max(1, Int((earliest.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
        }
        receipts[receiptNumber, default: []].append(now)
        clients[client, default: []].append(now)
        if receipts.count > 10_000 { receipts = receipts.filter { $0.value.last.map { $0 > start } ?? false } }
        if clients.count > 10_000 { clients = clients.filter { $0.value.last.map { $0 > start } ?? false } }
        return nil
    }
}
