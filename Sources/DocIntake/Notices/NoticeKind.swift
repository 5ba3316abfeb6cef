/// The notices an application's applicant receives, by the outbox `kind` that queues them.
public enum NoticeKind: String, Sendable, CaseIterable {
    /// 受付: the application was received.
    case submission
    /// 審査完了: approved, and the master account is registered.
    case approval
    /// 差戻し: returned for corrected documents or fields.
    case `return`
    /// 却下: rejected.
    case rejection
    /// 再申請受付: a returned application was resubmitted; says what changed and that review resumes.
    case resubmission
    /// A fresh link to the status page, asked for with the 受付番号 and the contact email. The only
    /// notice that carries a token: its new access token, made when it is sent.
    case accessLink = "access_link"

    /// The subject line. domain.md fixes the first two; the return and rejection subjects are
    /// ours, in the same style, and are kept here so that correcting them is a one-line change.
    public var subject: String {
        switch self {
        case .submission: "オンライン資格確認申請受付のご案内"
        case .approval: "オンライン資格確認等システムマスタアカウント情報通知と運用開始日登録のご案内"
        case .return: "オンライン資格確認申請差戻しのご案内"
        case .rejection: "オンライン資格確認申請却下のご案内"
        case .resubmission: "オンライン資格確認申請 再申請受付のご案内"
        case .accessLink: "オンライン資格確認申請 申請状況確認用リンクのご案内"
        }
    }
}
