import DocIntakeAPI
import Foundation

/// A request to delete every document row of one application under a retention rule, and
/// optionally to close the application first (a `returned` one becomes `withdrawn`).
///
/// The job judged the application on a snapshot; the store repeats the checks that judgement
/// rested on inside its write transaction, so that an application resubmitted, decided or put
/// under hold in the meantime is left alone.
public struct DocumentExpiry: Sendable, Equatable {
    /// The application whose documents go.
    public var applicationId: String
    /// The status the job saw; anything else now means the application changed.
    public var expectedStatus: ApplicationStatus
    /// The status time the job saw; a different one means it left and came back.
    public var expectedStatusChangedAt: Date
    /// The rule's name, written to each deletion record and the audit entry.
    public var rule: String
    /// When the deletion happens (the wall clock, even when the rules ran for another date).
    public var at: Date
    /// `operator:<user>` or `system`.
    public var actor: String
    /// The user name of the account running the job.
    public var operatorUser: String
    /// When set, the application moves to this status (with an audit entry giving
    /// `closingReason`) in the same transaction as the deletion.
    public var closingStatus: ApplicationStatus?
    /// The audit reason for closing.
    public var closingReason: String?

    /// A request; see the properties.
    public init(
        applicationId: String, expectedStatus: ApplicationStatus, expectedStatusChangedAt: Date, rule: String, at: Date,
        actor: String, operatorUser: String, closingStatus: ApplicationStatus? = nil, closingReason: String? = nil
    ) {
        self.applicationId = applicationId
        self.expectedStatus = expectedStatus
        self.expectedStatusChangedAt = expectedStatusChangedAt
        self.rule = rule
        self.at = at
        self.actor = actor
        self.operatorUser = operatorUser
        self.closingStatus = closingStatus
        self.closingReason = closingReason
    }
}

/// What became of a `DocumentExpiry`.
public enum DocumentExpiryOutcome: Sendable, Equatable {
    /// Done: the application was closed if asked, and these rows deleted (possibly none).
    case expired(closed: Bool, deleted: [DeletionRecord])
    /// A legal hold now stands on the application; nothing was changed.
    case held
    /// The application is gone or no longer has the status (or status time) the job saw.
    case changed(currentStatus: ApplicationStatus?)
}
