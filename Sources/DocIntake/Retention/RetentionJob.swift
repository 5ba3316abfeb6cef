import Foundation
import Logging
import Storage

/// The retention job (`docintake retention`, or periodically inside the server): applies every
/// rule of the retention table, collects blobs nothing references, and sweeps stale temp files.
///
/// A run first plans from one snapshot, then (unless it is a dry run) carries the plan out one
/// application and one blob at a time, each in its own write transaction that repeats the checks
/// the plan rested on. So it is safe beside a serving server and beside another run, and a
/// second run right after the first finds nothing more to do.
public struct RetentionJob: Sendable {
    let blobs: any BlobStore
    let metadata: any MetadataStore
    let policy: RetentionPolicy
    /// The wall clock: when deletions happen and what grace periods are measured against.
    let clock: @Sendable () -> Date
    /// `<data>/outbox`, whose delivered notices' files the job deletes; nil leaves them.
    let outboxDirectory: String?

    /// A job over these stores applying `policy`; `clock` is the wall clock.
    public init(
        blobs: any BlobStore, metadata: any MetadataStore, policy: RetentionPolicy = RetentionPolicy(),
        outboxDirectory: String? = nil, clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.blobs = blobs
        self.metadata = metadata
        self.policy = policy
        self.outboxDirectory = outboxDirectory
        self.clock = clock
    }

    private var noticeFiles: NoticeFileRetention? {
        outboxDirectory.map { NoticeFileRetention(metadata: metadata, directory: $0, keepDays: policy.noticeFileDays) }
    }

    /// The plan for applying the rules as of `now`. Changes nothing.
    ///
    /// `now` moves the rules' clock only. Grace periods are measured against the wall clock, or
    /// `now` if that is earlier, so that asking about a future date can never take a blob or a
    /// temp file that an upload in flight is about to use.
    func plan(now: Date) async throws -> RetentionPlan {
        var expiries: [RetentionPlan.Expiry] = []
        var held: [RetentionPlan.Held] = []
        let candidates = try await metadata.retentionCandidates(statuses: RetentionPolicy.governedStatuses)
        for candidate in candidates {
            let application = candidate.application
            guard let (rule, due) = policy.due(status: application.status, since: application.statusChangedAt), due <= now else { continue }
            let closes = rule == .returned
            guard closes || !candidate.documents.isEmpty else { continue }
            if let hold = candidate.hold {
                held.append(RetentionPlan.Held(application: application, rule: rule, due: due, hold: hold))
            } else {
                expiries.append(
                    RetentionPlan.Expiry(
                        application: application, rule: rule, due: due, closes: closes,
                        documents: candidate.documents))
            }
        }
        var releasing: [String: Int] = [:]
        for document in expiries.flatMap(\.documents) { releasing[document.blobSha256, default: 0] += 1 }
        let blobCutoff = min(now, clock()).addingTimeInterval(-policy.blobGrace)
        let garbage = try await BlobCollector(blobs: blobs, metadata: metadata).plan(cutoff: blobCutoff, releasing: releasing)
        let planned = Set(garbage.map(\.sha256))
        let young = try await metadata.blobUsage().filter {
            $0.references - releasing[$0.blob.sha256, default: 0] <= 0 && !planned.contains($0.blob.sha256)
        }
        return RetentionPlan(
            now: now, blobCutoff: blobCutoff, applicationsConsidered: candidates.count, expiries: expiries, held: held,
            blobs: garbage, blobsInGracePeriod: young.count,
            tempFiles: try blobs.staleStagingFiles(olderThan: policy.stagingGrace)
                + (try await blobs.staleRemoteStaging(olderThan: policy.stagingGrace)))
    }

    /// Plans as of `now` (default: the wall clock) and, unless `dryRun`, carries the plan out.
    /// `shouldStop` is asked between steps, so a shutting-down server stops at a step boundary.
    /// Failures of single steps are collected in the summary's `errors`; the run goes on.
    ///
    /// A run that deletes holds the `retention` lease (`JobLeaseGuard`); it throws `JobBusy` when
    /// another server or command holds it. A dry run changes nothing and needs no lease.
    public func run(
        now: Date? = nil, dryRun: Bool, by identity: OperatorIdentity, logger: Logger? = nil,
        shouldStop: @Sendable () -> Bool = { false }
    ) async throws -> RetentionSummary {
        if dryRun { return try await runUnguarded(now: now, dryRun: true, by: identity, logger: logger, shouldStop: shouldStop) }
        return try await JobLeaseGuard(metadata: metadata, job: "retention", clock: clock).run {
            try await runUnguarded(now: now, dryRun: false, by: identity, logger: logger, shouldStop: shouldStop)
        }
    }

    private func runUnguarded(
        now: Date?, dryRun: Bool, by identity: OperatorIdentity, logger: Logger?, shouldStop: @Sendable () -> Bool
    ) async throws -> RetentionSummary {
        let startedAt = clock()
        let plan = try await plan(now: now ?? startedAt)
        var summary = RetentionSummary(
            now: plan.now, dryRun: dryRun, operatorUser: identity.user, policy: policy,
            applicationsConsidered: plan.applicationsConsidered)
        summary.blobsInGracePeriod = plan.blobsInGracePeriod
        summary.applicationsHeld = plan.held.map {
            RetentionSummary.Hold(
                applicationId: $0.application.id, receiptNumber: $0.application.receiptNumber, rule: $0.rule,
                dueAt: $0.due, reason: $0.hold.reason)
        }
        if dryRun {
            for expiry in plan.expiries {
                if expiry.closes { summary.applicationsWithdrawn.append(Self.withdrawal(expiry.application)) }
                for document in expiry.documents { summary.add(Self.document(document, of: expiry.application, rule: expiry.rule)) }
            }
            for blob in plan.blobs { summary.add(blob) }
            summary.tempFilesSwept = plan.tempFiles.count
            summary.noticeFiles = try await noticeFiles?.due(now: plan.now, documentsGoing: Set(plan.expiries.map(\.application.id))) ?? []
            return summary
        }

        for expiry in plan.expiries {
            if shouldStop() {
                summary.interrupted = true
                break
            }
            await carryOut(expiry, by: identity, into: &summary, logger: logger)
        }
        for blob in plan.blobs {
            if summary.interrupted || shouldStop() {
                summary.interrupted = true
                break
            }
            do {
                if let freed = try await BlobCollector(blobs: blobs, metadata: metadata).collect(blob, cutoff: plan.blobCutoff) {
                    summary.add(BlobGarbage(sha256: blob.sha256, size: freed, kind: blob.kind))
                } else {
                    summary.skipped.append(.init(subject: "sha256:\(blob.sha256)", reason: "referenced again or no longer old enough; kept"))
                }
            } catch {
                summary.errors.append("collecting blob \(blob.sha256): \(error)")
            }
        }
        if !summary.interrupted {
            do {
                summary.tempFilesSwept = try blobs.sweepStaging(olderThan: policy.stagingGrace).count
                summary.tempFilesSwept += try await blobs.sweepRemoteStaging(olderThan: policy.stagingGrace).count
            } catch {
                summary.errors.append("sweeping temp files: \(error)")
            }
        }
        if !summary.interrupted, let noticeFiles {
            // After the expiries, so that only documents actually deleted take their notices' files along.
            do {
                for due in try await noticeFiles.due(now: plan.now, documentsGoing: []) {
                    if try await noticeFiles.delete(due, at: clock(), by: identity) { summary.noticeFiles.append(due) }
                }
            } catch {
                summary.errors.append("deleting delivered notices' files: \(error)")
            }
        }
        await record(&summary, startedAt: startedAt, by: identity)
        return summary
    }

    private func carryOut(_ expiry: RetentionPlan.Expiry, by identity: OperatorIdentity, into summary: inout RetentionSummary, logger: Logger?) async
    {
        let application = expiry.application
        let request = DocumentExpiry(
            applicationId: application.id, expectedStatus: application.status,
            expectedStatusChangedAt: application.statusChangedAt, rule: expiry.rule.rawValue, at: clock(),
            actor: identity.actor, operatorUser: identity.user,
            closingStatus: expiry.closes ? .withdrawn : nil,
            closingReason: expiry.closes
                ? "retention: returned \(policy.returnedDays) days ago and not resubmitted; closed as withdrawn" : nil)
        do {
            switch try await metadata.expireDocuments(request) {
            case .expired(let closed, let deleted):
                if closed { summary.applicationsWithdrawn.append(Self.withdrawal(application)) }
                for record in deleted {
                    summary.add(
                        RetentionSummary.Document(
                            applicationId: record.applicationId, receiptNumber: application.receiptNumber, rule: expiry.rule,
                            documentId: record.documentId, slot: record.slot.rawValue, sha256: record.sha256, size: record.size))
                }
                logger?.info(
                    "retention deleted documents",
                    metadata: [
                        "application_id": .string(application.id), "rule": .string(expiry.rule.rawValue),
                        "documents": .stringConvertible(deleted.count), "closed": .stringConvertible(closed),
                    ])
            case .held:
                summary.skipped.append(.init(subject: application.id, reason: "put under legal hold during the run; kept"))
            case .changed(let current):
                summary.skipped.append(
                    .init(
                        subject: application.id,
                        reason: "status changed during the run (now \(current?.rawValue ?? "gone")); kept"))
            }
        } catch {
            summary.errors.append("application \(application.id): \(error)")
        }
    }

    /// Keeps the run's counts, so that the server exports them even when the job ran elsewhere.
    private func record(_ summary: inout RetentionSummary, startedAt: Date, by identity: OperatorIdentity) async {
        let run = JobRunRecord(
            job: "retention", startedAt: startedAt, finishedAt: clock(),
            outcome: summary.succeeded ? "ok" : "failed", summary: JobRunMetrics.encode(summary.counts),
            actor: identity.actor)
        do {
            try await metadata.recordJobRun(run)
            JobRunMetrics.export(run)
        } catch {
            summary.errors.append("recording the run: \(error)")
        }
        await BlobStoreMetrics.update(from: metadata)
    }

    static func withdrawal(_ application: ApplicationRecord) -> RetentionSummary.Withdrawal {
        RetentionSummary.Withdrawal(
            applicationId: application.id, receiptNumber: application.receiptNumber,
            returnedAt: application.statusChangedAt)
    }

    static func document(_ document: DocumentRecord, of application: ApplicationRecord, rule: RetentionRule) -> RetentionSummary.Document {
        RetentionSummary.Document(
            applicationId: application.id, receiptNumber: application.receiptNumber, rule: rule,
            documentId: document.id ?? 0, slot: document.slot.rawValue, sha256: document.blobSha256, size: document.size)
    }
}
