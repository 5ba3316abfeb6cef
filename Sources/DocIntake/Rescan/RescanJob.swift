import Antivirus
import Foundation
import Logging
import Metrics
import Storage

/// `docintake rescan`: scans the current documents of every application not yet decided again,
/// with clamd's current signatures. A document that a newer signature finds is quarantined (隔離):
/// never served to a reviewer again, and its application goes back to the applicant (差戻し) with
/// a reason asking for a new file. One run at a time across every server and command sharing the
/// database, through a lease in it.
public struct RescanJob: Sendable {
    /// The job's name in `job_runs`, `job_leases` and the metrics.
    public static let name = "rescan"
    /// The statuses whose documents are scanned again: a decided application's documents are not
    /// read by reviewers any more.
    static let undecided: Set<ApplicationStatus> = [.submitted, .underReview, .returned]

    let blobs: any BlobStore
    let metadata: any MetadataStore
    let clamd: ClamdClient
    /// How long a lease lasts unless renewed; it is renewed before every blob.
    let lease: Duration
    let clock: @Sendable () -> Date

    /// A rescan of these stores with `clamd`.
    public init(
        blobs: any BlobStore, metadata: any MetadataStore, clamd: ClamdClient, lease: Duration = .seconds(600),
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.blobs = blobs
        self.metadata = metadata
        self.clamd = clamd
        self.lease = lease
        self.clock = clock
    }

    /// Scans, quarantines what is found, and records the run. Throws `RescanError.alreadyRunning`
    /// when another process holds the lease, and clamd's error when it cannot scan (the run is
    /// then recorded as failed: nothing after that point was scanned).
    public func run(
        by identity: OperatorIdentity, logger: Logger, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) async throws
        -> RescanReport
    {
        let holder = JobLeaseGuard.holder()
        let started = clock()
        let metadata = self.metadata
        guard
            try await metadata.acquireJobLease(
                job: Self.name, holder: holder, now: started, expiresAt: started.addingTimeInterval(lease.timeInterval))
        else {
            let current = try await metadata.jobLease(job: Self.name)
            throw RescanError.alreadyRunning(holder: current?.holder ?? "?", until: current?.expiresAt ?? started)
        }
        var report = RescanReport(startedAt: started)
        let monotonic = ContinuousClock.now
        var failure: (any Error)?
        do {
            try await scanAll(into: &report, holder: holder, identity: identity, logger: logger, shouldStop: shouldStop)
        } catch {
            failure = error
            report.failure = "\(error)"
        }
        report.durationSeconds = (ContinuousClock.now - monotonic).timeInterval
        let run = JobRunRecord(
            job: Self.name, startedAt: started, finishedAt: clock(), outcome: report.outcome,
            summary: JobRunMetrics.encode(report.counts), actor: identity.actor)
        try await metadata.recordJobRun(run)
        try await metadata.releaseJobLease(job: Self.name, holder: holder)
        JobRunMetrics.export(run)
        if let failure { throw failure }
        return report
    }

    private func scanAll(
        into report: inout RescanReport, holder: String, identity: OperatorIdentity, logger: Logger, shouldStop: @Sendable () -> Bool
    ) async throws {
        let metadata = self.metadata
        let candidates = try await metadata.retentionCandidates(statuses: Self.undecided)
        // A blob two documents share is scanned once.
        var verdicts: [String: BlobVerdict] = [:]
        for candidate in candidates {
            let documents = candidate.documents.filter { $0.supersededAt == nil && $0.quarantinedAt == nil }
            var findings: [(DocumentRecord, String)] = []
            for document in documents {
                if shouldStop() {
                    report.interrupted = true
                    return
                }
                let verdict: BlobVerdict
                if let known = verdicts[document.blobSha256] {
                    verdict = known
                } else {
                    try await renewLease(holder: holder)
                    verdict = try await scan(document.blobSha256)
                    verdicts[document.blobSha256] = verdict
                    if case .unreadable = verdict {
                    } else {
                        report.blobsScanned += 1
                        report.bytesScanned += document.size
                    }
                }
                switch verdict {
                case .clean: report.documentsScanned += 1
                case .infected(let signature):
                    report.documentsScanned += 1
                    findings.append((document, signature))
                case .unreadable(let why):
                    report.unreadable.append(
                        .init(
                            applicationId: document.applicationId, slot: document.slot.rawValue,
                            sha256: document.blobSha256, detail: why))
                }
            }
            if !findings.isEmpty {
                try await quarantine(findings, of: candidate.application, identity: identity, logger: logger, into: &report)
            }
        }
    }

    private func quarantine(
        _ findings: [(DocumentRecord, String)], of application: ApplicationRecord, identity: OperatorIdentity, logger: Logger,
        into report: inout RescanReport
    ) async throws {
        let now = clock()
        let slots = findings.map(\.0.slot)
        let reason = RescanMessages.returnReason(slots)
        let quarantine = DocumentQuarantine(
            applicationId: application.id,
            findings: findings.map { document, signature in
                .init(
                    documentId: document.id ?? -1,
                    audit: AuditEntry(
                        applicationId: application.id, at: now, actor: identity.actor, action: AuditAction.quarantine,
                        detail: QuarantineDetail(slot: document.slot.rawValue, sha256: document.blobSha256, signature: signature).json()))
            },
            returnFrom: Self.undecided, returnTo: .returned,
            returnAudit: AuditEntry(
                applicationId: application.id, at: now, actor: identity.actor, action: AuditAction.return,
                reason: reason),
            notice: OutboxMessage(
                applicationId: application.id, kind: NoticeKind.return.rawValue, recipient: application.contactEmail,
                payload: try DecisionNotice(
                    receiptNumber: application.receiptNumber, institutionName: application.institutionName,
                    decision: Decision.return.rawValue, reason: reason
                ).json(),
                createdAt: now))
        let metadata = self.metadata
        let outcome = try await metadata.quarantine(quarantine)
        for (document, signature) in findings where outcome.quarantined.contains(document.id ?? -1) {
            logger.warning(
                "a stored document is infected by today's signatures; quarantined",
                metadata: [
                    "application_id": .string(application.id), "slot": .string(document.slot.rawValue),
                    "sha256": .string(document.blobSha256), "signature": .string(signature),
                    "returned_to_applicant": .stringConvertible(outcome.returned),
                ])
            Counter(label: "docintake_antivirus_found_total", dimensions: [("signature", signature)]).increment()
            Counter(label: "docintake_documents_quarantined_total").increment()
            report.quarantined.append(
                .init(
                    applicationId: application.id, receiptNumber: application.receiptNumber,
                    slot: document.slot.rawValue, sha256: document.blobSha256, signature: signature))
        }
        if outcome.returned { report.applicationsReturned += 1 }
    }

    private enum BlobVerdict: Sendable {
        case clean
        case infected(String)
        /// Missing or corrupt: the scrub's business; clamd cannot judge bytes we cannot vouch for.
        case unreadable(String)
    }

    /// Streams a blob through the verifying reader into clamd. A clamd failure is thrown.
    private func scan(_ hex: String) async throws -> BlobVerdict {
        guard let digest = BlobDigest(hex: hex) else { return .unreadable("not a SHA-256") }
        let blobs = self.blobs
        let reader: any BlobReader
        do {
            reader = try await blobs.open(digest)
        } catch {
            return .unreadable("\(error)")
        }
        defer { reader.close() }
        let stream = clamd.stream()
        do {
            while let chunk = try await reader.next() {
                await stream.send(chunk)
                if stream.hasFailed { break }
            }
        } catch {
            stream.cancel()
            return .unreadable("\(error)")
        }
        await stream.finish()
        switch try await stream.verdict() {
        case .clean: return .clean
        case .infected(let signature): return .infected(signature)
        }
    }

    private func renewLease(holder: String) async throws {
        let (metadata, now, lease) = (self.metadata, clock(), self.lease)
        guard
            try await metadata.acquireJobLease(job: Self.name, holder: holder, now: now, expiresAt: now.addingTimeInterval(lease.timeInterval))
        else { throw RescanError.leaseLost }
    }
}

/// Why a rescan did not run to the end.
public enum RescanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the lease: a rescan is running elsewhere.
    case alreadyRunning(holder: String, until: Date)
    /// The lease ran out while this run was busy (a stall longer than the lease) and another took it.
    case leaseLost

    /// Another run holds the lease: nothing was done, and nothing needs to be.
    public var isAlreadyRunning: Bool {
        if case .alreadyRunning = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .alreadyRunning(let holder, let until):
            "a rescan is already running (\(holder), its lease runs to \(until.formatted(.iso8601))); try again later"
        case .leaseLost: "another rescan took over after this one stalled past its lease"
        }
    }
}

/// The audit detail of a quarantine: internal, since it names the signature.
struct QuarantineDetail: Codable, Sendable, Equatable {
    var slot: String
    var sha256: String
    var signature: String

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
