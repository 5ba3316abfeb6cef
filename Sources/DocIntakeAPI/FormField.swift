extension FormField {
    /// The field as the form labels it, for messages, the status page's history and notices.
    var japaneseName: String {
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
    static let correctable: [FormField] = [
        .prefectureCode, .institutionCode, .institutionName, .lineType, .customerIdType, .customerId,
        .plannedStartMonth, .plannedTestMonth, .certificateFeePayment, .contactEmail,
    ]
}
