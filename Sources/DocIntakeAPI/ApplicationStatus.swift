/// Where an application stands in review (`Status` in openapi.yaml; domain.md, States).
public enum ApplicationStatus: String, Sendable, Codable, CaseIterable {
    /// 受付
    case submitted
    /// 審査中
    case underReview = "under_review"
    /// 審査完了: the master account is registered.
    case approved
    /// 差戻し: the applicant may fix it and resubmit.
    case returned
    /// 却下
    case rejected
    /// Left `returned` too long; closed by retention.
    case withdrawn

    /// The status as the portal names it, for people.
    public var japaneseName: String {
        switch self {
        case .submitted: "受付"
        case .underReview: "審査中"
        case .approved: "審査完了"
        case .returned: "差戻し"
        case .rejected: "却下"
        case .withdrawn: "取下げ"
        }
    }
}
