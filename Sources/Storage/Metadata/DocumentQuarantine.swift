import DocIntakeAPI
import Foundation

/// The documents of one application that a rescan found malware in, and what to do about them in
/// one transaction: mark each quarantined (隔離) with its own audit entry, and return (差戻し) the
/// application to its applicant with `returnAudit` and `notice` when its status is one of
/// `returnFrom`. One application, one return and one notice, however many of its documents were found.
public struct DocumentQuarantine: Sendable {
    /// One infected document and the internal audit entry of the finding, which names the signature
    /// and is never shown to the applicant.
    public struct Finding: Sendable {
        public var documentId: Int64
        public var audit: AuditEntry

        /// A finding in the document row `documentId`.
        public init(documentId: Int64, audit: AuditEntry) {
            self.documentId = documentId
            self.audit = audit
        }
    }

    /// The application the documents belong to.
    public var applicationId: String
    /// Its infected documents.
    public var findings: [Finding]
    /// Statuses from which the application goes back to its applicant.
    public var returnFrom: Set<ApplicationStatus>
    /// The status it goes to.
    public var returnTo: ApplicationStatus
    /// The return's own audit entry, which the applicant's journey shows with its reason.
    public var returnAudit: AuditEntry
    /// The return notice, addressed to the applicant.
    public var notice: OutboxMessage?

    /// A quarantine of `findings`, returning the application when it is in one of `returnFrom`.
    public init(
        applicationId: String, findings: [Finding], returnFrom: Set<ApplicationStatus>, returnTo: ApplicationStatus, returnAudit: AuditEntry,
        notice: OutboxMessage?
    ) {
        self.applicationId = applicationId
        self.findings = findings
        self.returnFrom = returnFrom
        self.returnTo = returnTo
        self.returnAudit = returnAudit
        self.notice = notice
    }
}

/// What a quarantine changed.
public struct DocumentQuarantineOutcome: Sendable, Equatable {
    /// The documents it marked. A document replaced or deleted since it was read (the newer one
    /// was scanned on its own way in), or marked by another run first, is left out.
    public var quarantined: [Int64]
    /// Whether the application went back to its applicant.
    public var returned: Bool

    /// An outcome.
    public init(quarantined: [Int64], returned: Bool) {
        self.quarantined = quarantined
        self.returned = returned
    }
}
