import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// Delivers the outbox's notices inside `docintake serve`: every poll interval it claims what is
/// due and hands each message to the transport, marking it sent or scheduling a retry with
/// exponential backoff. It runs beside the HTTP server, so a slow or failing mail system never
/// delays an upload's response: the upload only wrote the outbox row.
public struct NoticeDeliverer: Service {
    let metadata: any MetadataStore
    let transport: any NoticeTransport
    let renderer: NoticeRenderer
    let configuration: NoticeConfiguration
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Claimed per round: small, so a shutdown waits for at most a few deliveries.
    let batchSize: Int

    /// A deliverer for the stores under `dataDirectory`, with the transport `configuration` names.
    public init(
        metadata: any MetadataStore, dataDirectory: String, configuration: NoticeConfiguration, logger: Logger,
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws {
        let transport: any NoticeTransport =
            if let program = configuration.sendmailPath {
                SendmailNoticeTransport(program: program, timeout: configuration.sendmailTimeout)
            } else {
                try FileNoticeTransport(directory: dataDirectory + "/outbox")
            }
        try self.init(metadata: metadata, transport: transport, configuration: configuration, logger: logger, clock: clock)
    }

    init(
        metadata: any MetadataStore, transport: any NoticeTransport, configuration: NoticeConfiguration, logger: Logger,
        clock: @escaping @Sendable () -> Date = Date.init, batchSize: Int = 10
    ) throws {
        self.metadata = metadata
        self.batchSize = batchSize
        self.transport = transport
        self.renderer = try NoticeRenderer(configuration: configuration)
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    /// Delivers what is due whenever a notice is queued or the poll interval passes, until the
    /// service group shuts down.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await deliverDue()
            } catch {
                logger.error("notice outbox unavailable", metadata: ["error": "\(error)"])
            }
            // Woken when a notice is committed (by any server, with PostgreSQL); the poll interval
            // still bounds the wait, for retries that fall due and a wake-up that was missed.
            // The loop's condition ends it when the wait was cut short by shutdown.
            await cancelWhenGracefulShutdown { [metadata, interval = configuration.pollInterval] in
                await metadata.waitForQueuedNotice(timeout: interval)
            }
        }
    }

    /// Claims and delivers every notice due now, a batch at a time; returns how many were
    /// delivered and how many failed (and wait for their retry). Stops between batches on shutdown.
    public func deliverDue() async throws -> NoticeRound {
        var round = NoticeRound()
        while true {
            let now = clock()
            let (metadata, batchSize) = (self.metadata, self.batchSize)
            // The lease must outlast the whole batch, each notice up to sendmail's timeout, or
            // another deliverer could claim and send the batch's last notices again.
            let batchTime = configuration.sendmailTimeout.timeInterval * Double(batchSize)
            let leasedUntil = now.addingTimeInterval(configuration.lease.timeInterval + batchTime)
            let claimed = try await metadata.claimDueNotices(now: now, leasedUntil: leasedUntil, limit: batchSize)
            for notice in claimed {
                if try await deliver(notice) { round.sent += 1 } else { round.failed += 1 }
            }
            if claimed.count < batchSize || Task.isShuttingDownGracefully || Task.isCancelled { return round }
        }
    }

    /// One claimed notice: render, hand over, record the outcome. Returns whether it was sent.
    private func deliver(_ notice: OutboxMessage) async throws -> Bool {
        let (metadata, transport, renderer, from, clock) = (self.metadata, self.transport, self.renderer, configuration.mailFrom, self.clock)
        guard let id = notice.id else { return false }
        let failure: (any Error)?
        do {
            let token = try await Self.freshAccessToken(for: notice, metadata: metadata, at: clock())
            try await Blocking.runOnOwnThread {
                let message = MailMessage(notice: notice, rendered: try renderer.render(notice, accessToken: token), from: from)
                try transport.deliver(message)
            }
            failure = nil
        } catch {
            failure = error
        }
        guard let error = failure else {
            try await metadata.markNoticeSent(id: id, at: clock())
            NoticeMetrics.record(kind: notice.kind, outcome: "sent")
            logger.info(
                "notice sent",
                metadata: [
                    "notice_id": .stringConvertible(id), "kind": .string(notice.kind),
                    "application_id": .string(notice.applicationId), "transport": .string(transport.name),
                    "attempt": .stringConvertible(notice.attempts),
                ])
            return true
        }
        let delay = configuration.retryDelay(afterAttempts: notice.attempts)
        let retryAt = clock().addingTimeInterval(delay.timeInterval)
        let stored = (error as? NoticeError)?.description ?? "\(error)"
        try await metadata.recordNoticeFailure(id: id, error: stored, retryAt: retryAt)
        NoticeMetrics.record(kind: notice.kind, outcome: "failed")
        // Never the message, the recipient or the program's output: the log says which notice
        // and why in general terms; the outbox row has the details for the operator.
        logger.warning(
            "notice delivery failed; will retry",
            metadata: [
                "notice_id": .stringConvertible(id), "kind": .string(notice.kind),
                "application_id": .string(notice.applicationId), "transport": .string(transport.name),
                "attempt": .stringConvertible(notice.attempts), "retry_in": "\(delay)",
                "error": .string((error as? NoticeError)?.logSummary ?? "\(type(of: error))"),
            ])
        return false
    }

    /// For an access-link notice, a new applicant token, whose hash replaces the old one before the
    /// message leaves: each attempt makes its own, so only the latest link sent works, and the
    /// token exists in plain text only in the message.
    static func freshAccessToken(for notice: OutboxMessage, metadata: any MetadataStore, at now: Date) async throws -> String? {
        guard notice.kind == NoticeKind.accessLink.rawValue else { return nil }
        let token = AccessToken.generate(prefix: AccessToken.applicantPrefix)
        try await metadata.replaceAccessToken(
            applicationId: notice.applicationId, tokenHash: token.hash,
            audit: AuditEntry(applicationId: notice.applicationId, at: now, actor: "system", action: "access_token_reissued"))
        return token.value
    }
}

/// What one `deliverDue()` did.
public struct NoticeRound: Sendable, Equatable {
    /// Notices handed to the transport and marked sent.
    public var sent = 0
    /// Notices whose attempt failed; each is due again after its backoff.
    public var failed = 0
}

/// `docintake_notices_total{kind,outcome}`: delivery attempts by notice kind and outcome
/// (`sent` or `failed`).
enum NoticeMetrics {
    static func record(kind: String, outcome: String) {
        Counter(label: "docintake_notices_total", dimensions: [("kind", kind), ("outcome", outcome)]).increment()
    }
}
