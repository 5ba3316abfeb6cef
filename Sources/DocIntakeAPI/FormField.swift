/// The form's field names, in the form's order (domain.md; `ApplicationForm` in openapi.yaml).
public enum FormField: String, CaseIterable, Sendable {
    /// 医療機関等の種別
    case institutionKind = "institution_kind"
    /// 都道府県コード
    case prefectureCode = "prefecture_code"
    /// 医療機関等コード
    case institutionCode = "institution_code"
    /// 医療機関等名
    case institutionName = "institution_name"
    /// 申請区分
    case applicationKind = "application_kind"
    /// 利用規約への同意
    case termsAgreed = "terms_agreed"
    /// 電気通信回線種別
    case lineType = "line_type"
    /// お客さまID（種別）
    case customerIdType = "customer_id_type"
    /// お客さまID
    case customerId = "customer_id"
    /// 確認用お客さまID
    case customerIdConfirmation = "customer_id_confirmation"
    /// フレッツ・v6オプション契約の確認
    case fletsV6Confirmed = "flets_v6_confirmed"
    /// 利用開始予定年月
    case plannedStartMonth = "planned_start_month"
    /// テスト開始予定年月
    case plannedTestMonth = "planned_test_month"
    /// 秘密の番号
    case secretNumber = "secret_number"
    /// 秘密の番号（確認用）
    case secretNumberConfirmation = "secret_number_confirmation"
    /// 電子証明書発行料の支払方法
    case certificateFeePayment = "certificate_fee_payment"
    /// 連絡先メールアドレス
    case contactEmail = "contact_email"
}

extension FormField {
    /// The field as the form labels it, for messages, the status page's history, notices and the
    /// reviewer client.
    public var japaneseName: String {
        switch self {
        case .institutionKind: "医療機関等の種別"
        case .prefectureCode: "都道府県コード"
        case .institutionCode: "医療機関等コード"
        case .institutionName: "医療機関等名"
        case .applicationKind: "申請区分"
        case .termsAgreed: "利用規約への同意"
        case .lineType: "電気通信回線種別"
        case .customerIdType: "お客さまID（種別）"
        case .customerId: "お客さまID"
        case .customerIdConfirmation: "確認用お客さまID"
        case .fletsV6Confirmed: "フレッツ・v6オプション契約の確認"
        case .plannedStartMonth: "利用開始予定年月"
        case .plannedTestMonth: "テスト開始予定年月"
        case .secretNumber: "秘密の番号"
        case .secretNumberConfirmation: "秘密の番号（確認用）"
        case .certificateFeePayment: "電子証明書発行料の支払方法"
        case .contactEmail: "連絡先メールアドレス"
        }
    }

    /// The fields an applicant may correct on a returned application (申請内容の修正). The kind of
    /// institution and of application decide which documents exist, and the 秘密の番号 is never
    /// shown or changed after submission, so those stay as submitted.
    public static let correctable: [FormField] = [
        .prefectureCode, .institutionCode, .institutionName, .lineType, .customerIdType, .customerId,
        .plannedStartMonth, .plannedTestMonth, .certificateFeePayment, .contactEmail,
    ]
}
