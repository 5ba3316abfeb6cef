import Foundation
import Storage

/// The agency reviewers' side: listing applications, reading them with their documents,
/// claiming them (審査中) and deciding them. Every decision and every document read is audited
/// with the reviewer's name.
struct ReviewService: Sendable {
    let blobs: any BlobStore
    let metadata: any MetadataStore
    let clock: @Sendable () -> Date

    init(blobs: any BlobStore, metadata: any MetadataStore, clock: @escaping @Sendable () -> Date = Date.init) {
        self.blobs = blobs
        self.metadata = metadata
        self.clock = clock
    }

    /// The reviewer a bearer token belongs to. An applicant's token is `.forbidden`, anything
    /// else unknown (or revoked) is `.unauthorized`.
    func reviewer(token: String?) async throws -> ReviewerRecord {
        guard let token else { throw ReviewRefusal.unauthorized }
        let metadata = self.metadata
        if let reviewer = try await metadata.activeReviewer(tokenHash: AccessToken.hash(token)) {
            return reviewer
        }
        throw token.hasPrefix(AccessToken.applicantPrefix) ? ReviewRefusal.forbidden : ReviewRefusal.unauthorized
    }

    /// One page of applications in `statuses` (nil: every status), oldest first; or, given a
    /// `receiptNumber`, the one application with that 受付番号, whatever its status (none: empty).
    func list(
        statuses: Set<ApplicationStatus>?, after cursor: String?, limit: Int, receiptNumber: String? = nil
    ) async throws -> ApplicationPage {
        // Checked for every request, so that a bad cursor is a 400 whichever way the list is asked for.
        let position = try cursor.map { encoded in
            guard let position = Int64(encoded), position >= 0 else { throw ReviewRefusal.invalidCursor }
            return position
        }
        let metadata = self.metadata
        if let receiptNumber {
            guard let number = ReceiptNumber.normalised(receiptNumber), let id = try await metadata.applicationId(receiptNumber: number),
                let record = try await metadata.application(id: id)
            else { return ApplicationPage(applications: [], nextCursor: nil) }
            let item = ApplicationSummary(
                record, documentCount: try await metadata.currentDocumentCounts(applicationIds: [id])[id, default: 0],
                resubmittedAt: try await metadata.auditLog(applicationId: id).lastResubmission)
            return ApplicationPage(applications: [item], nextCursor: nil)
        }
        let limit = min(max(limit, 1), 200)
        let listed = try await metadata.applications(statuses: statuses, after: position, limit: limit + 1)
        let page = listed.prefix(limit)
        let resubmissions = try await metadata.lastAudit(action: AuditAction.resubmit, applicationIds: page.map(\.record.id))
        let documentCounts = try await metadata.currentDocumentCounts(applicationIds: page.map(\.record.id))
        let items = page.map { entry in
            ApplicationSummary(
                entry.record, documentCount: documentCounts[entry.record.id, default: 0], resubmittedAt: resubmissions[entry.record.id])
        }
        return ApplicationPage(applications: items, nextCursor: listed.count > limit ? page.last.map { String($0.position) } : nil)
    }

    /// The id of the application `handle` names: its id or its 受付番号.
    func resolve(_ handle: String) async throws -> String {
        let metadata = self.metadata
        guard let id = try await ApplicationHandle.resolve(handle, in: metadata) else {
            throw ReviewRefusal.notFound
        }
        return id
    }

    /// Everything about one application (named by id or 受付番号): fields (never the 秘密の番号),
    /// documents current and superseded, and its history.
    func detail(_ handle: String) async throws -> ApplicationDetail {
        let metadata = self.metadata
        let id = try await resolve(handle)
        guard let record = try await metadata.application(id: id) else { throw ReviewRefusal.notFound }
        return ApplicationDetail(
            record, documents: try await metadata.documents(applicationId: id),
            audit: try await metadata.auditLog(applicationId: id))
    }

    /// Takes an application into review: `submitted` → `under_review`.
    func claim(_ handle: String, by reviewer: ReviewerRecord) async throws -> ApplicationDetail {
        try await move(try await resolve(handle), from: [.submitted], to: .underReview, action: "claim", reviewer: reviewer, reason: nil, notice: nil)
    }

    /// Approves, returns (差戻し) or rejects (却下) an application and queues the matching notice.
    func decide(_ handle: String, decision: Decision, reason: String?, by reviewer: ReviewerRecord) async throws -> ApplicationDetail {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if decision != .approve && reason == nil { throw ReviewRefusal.reasonRequired }
        let current = try await detail(handle)
        let id = current.id
        // 職域診療所 applications are reviewed (審査) first; the other kinds have nothing to review.
        let reviewed = current.fields.institutionKind == InstitutionKind.workplaceClinic.rawValue
        // A return asks for new documents, which only a workplace clinic sends.
        if !reviewed && decision == .return {
            throw ReviewRefusal.conflict(current: current.status, requested: decision.rawValue)
        }
        let from: Set<ApplicationStatus> = reviewed ? [.underReview] : [.submitted, .underReview]
        return try await move(
            id, from: from, to: decision.resultingStatus, action: decision.rawValue, reviewer: reviewer,
            reason: reason, notice: decision.noticeKind)
    }

    private func move(
        _ id: String, from: Set<ApplicationStatus>, to: ApplicationStatus, action: String, reviewer: ReviewerRecord,
        reason: String?, notice kind: NoticeKind?
    ) async throws -> ApplicationDetail {
        let now = clock()
        let metadata = self.metadata
        let audit = AuditEntry(applicationId: id, at: now, actor: "reviewer:\(reviewer.name)", action: action, reason: reason)
        do {
            do {
                guard let record = try await metadata.application(id: id) else { throw ReviewRefusal.notFound }
                let notice = try kind.map { kind in
                    OutboxMessage(
                        applicationId: id, kind: kind.rawValue,
                        recipient: record.contactEmail,
                        payload: try DecisionNotice(
                            receiptNumber: record.receiptNumber, institutionName: record.institutionName,
                            decision: action, reason: reason
                        ).json(),
                        createdAt: now)
                }
                try await metadata.transition(applicationId: id, from: from, to: to, audit: audit, notice: notice)
            }
        } catch MetadataStoreError.statusConflict(let current) {
            throw ReviewRefusal.conflict(current: current.rawValue, requested: action)
        } catch MetadataStoreError.notFound {
            throw ReviewRefusal.notFound
        }
        return try await detail(id)
    }
}

extension Decision {
    /// The notice the applicant gets.
    var noticeKind: NoticeKind {
        switch self {
        case .approve: .approval
        case .return: .return
        case .reject: .rejection
        }
    }
}
