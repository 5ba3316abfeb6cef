/// The notice bodies as mustache templates. They are Swift constants rather than SwiftPM
/// resources so that the server cannot lose them, whatever is installed beside the binary.
/// `TEXT` turns off HTML escaping: these are plain-text emails.
enum NoticeTemplates {
    /// The body for each kind.
    static func body(_ kind: NoticeKind) -> String {
        switch kind {
        case .submission: submission
        case .approval: approval
        case .return: returned
        case .rejection: rejection
        case .resubmission: resubmission
        case .accessLink: accessLink
        }
    }

    static let submission = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        オンライン資格確認の利用申請を受け付けました。
        受付番号: {{receiptNumber}}

        {{#reviewed}}
        職域診療所からの申請のため、マスタアカウントの登録の前に、添付いただいた書類の審査を行います。
        審査には1週間程度かかる場合があります。審査の結果は、このメールアドレスにお知らせします。
        {{/reviewed}}
        {{^reviewed}}
        マスタアカウントの登録が完了しましたら、このメールアドレスにお知らせします。
        {{/reviewed}}

        ■ 申請内容（誤入力の多い項目です。ご確認ください）
        申請区分: {{applicationKind}}
        医療機関等名: {{institutionName}}
        電気通信回線種別: {{lineType}}
        お客さまID: {{customerId}}
        利用開始予定年月: {{plannedStartMonth}}
        テスト開始予定年月: {{plannedTestMonth}}
        電子証明書発行料の支払方法: {{certificateFeePayment}}
        {{#reviewed}}

        ■ 添付書類
        {{#documents}}
        ・{{name}}: {{filename}}（{{size}}）
        {{/documents}}
        {{/reviewed}}

        内容に誤りがある場合は、受付番号を添えてお問い合わせください。
        ご登録の秘密の番号は、安全のためこのメールには記載していません。

        """ + footer

    static let approval = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        オンライン資格確認の利用申請（受付番号: {{receiptNumber}}）の審査が完了し、
        オンライン資格確認等システムのマスタアカウントを登録しました。

        ■ マスタアカウント情報の取得
        マスタアカウント情報（ログインID・初期パスワード）は、{{masterAccountSource}}。
        運用開始日の登録も、同じポータルサイトから行ってください。
        パスワードの再発行には、申請時にご登録の秘密の番号が必要です。

        """ + footer

    static let returned = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        オンライン資格確認の利用申請（受付番号: {{receiptNumber}}）を差し戻しました。

        ■ 差戻しの理由
        {{reason}}

        理由をご確認のうえ、書類の差し替えまたは申請内容の修正を行い、再度申請してください。

        """ + footer

    static let rejection = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        オンライン資格確認の利用申請（受付番号: {{receiptNumber}}）は、審査の結果、却下となりました。

        ■ 却下の理由
        {{reason}}

        """ + footer

    static let resubmission = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        差戻しとなっていたオンライン資格確認の利用申請（受付番号: {{receiptNumber}}）の再申請を受け付けました。
        審査を再開します。審査の結果は、このメールアドレスにお知らせします。

        ■ 変更された内容
        {{#replacedDocuments}}
        ・書類の差し替え: {{.}}
        {{/replacedDocuments}}
        {{#correctedFields}}
        ・申請内容の修正: {{.}}
        {{/correctedFields}}
        {{^changed}}
        ・変更はありません（変更せずに再申請されました）
        {{/changed}}

        """ + footer

    static let accessLink = """
        {{% CONTENT_TYPE: TEXT}}
        {{institutionName}} ご担当者様

        オンライン資格確認の利用申請（受付番号: {{receiptNumber}}）の申請状況を確認するためのリンクを、
        ご依頼によりお送りします。次のリンクを開くと、申請状況の確認ページが表示されます。

        {{accessLink}}

        このリンクを発行したため、以前のアクセストークンは使えなくなりました。
        このメールに心当たりがない場合は、下記の窓口へご連絡ください。

        """ + footer

    private static let footer = """
        ■ 申請状況の確認
        {{statusURL}}
        申請時に表示されたアクセストークンでご覧いただけます。お手元にない場合は、このページの
        「アクセス用のリンクを再送する」から、受付番号と連絡先メールアドレスで再送をお申し込みください。

        ■ お問い合わせ窓口
        {{contact}}
        お問い合わせの際は、受付番号をお知らせください。

        ※このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできません。
        オンライン資格確認 利用申請受付

        """
}
