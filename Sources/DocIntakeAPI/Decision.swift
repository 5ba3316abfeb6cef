/// A reviewer's verdict on an application under review: the `decision` of
/// `POST /api/v1/review/applications/{id}/decision`.
public enum Decision: String, Sendable, CaseIterable, Codable {
    /// 審査完了: the master account is registered.
    case approve
    /// 差戻し: the applicant may fix and resubmit. Needs a reason.
    case `return`
    /// 却下. Needs a reason.
    case reject

    /// Whether the server refuses this decision without a reason.
    public var needsReason: Bool { self != .approve }

    /// The status the application moves to.
    public var resultingStatus: ApplicationStatus {
        switch self {
        case .approve: .approved
        case .return: .returned
        case .reject: .rejected
        }
    }
}
