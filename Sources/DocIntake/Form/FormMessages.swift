/// Every message the form's checks show an applicant, in Japanese and English, in one place.
enum FormMessages {
    /// One message: a stable machine code and the text in both languages.
    struct Message {
        let code: String
        let ja: String
        let en: String
    }
}

extension FormMessages.Message {
    static let required = Self(code: "required", ja: "入力してください。", en: "This field is required.")
    /// A radio group or a select left unchosen.
    static let selectRequired = Self(code: "required", ja: "選択してください。", en: "Choose one of the options.")
    static let prefectureRange = Self(
        code: "format", ja: "都道府県コードは01〜47（JIS X 0401）の2桁で指定してください。",
        en: "The prefecture code must be two digits from 01 to 47 (JIS X 0401).")
    static let format = Self(code: "format", ja: "入力形式が正しくありません。", en: "The format is not valid.")
    static let invalidChoice = Self(code: "invalid_choice", ja: "選択肢から選んでください。", en: "Choose one of the listed options.")
    static let tooLong = Self(code: "too_long", ja: "100文字以内で入力してください。", en: "Use at most 100 characters.")
    static let mismatch = Self(
        code: "mismatch", ja: "確認用の入力が一致しません。同じ値を入力してください。", en: "The confirmation does not match. Enter the same value twice.")
    static let mustAgree = Self(code: "required", ja: "利用規約に同意してください。", en: "You must agree to the terms of use.")
    static let mustConfirm = Self(code: "required", ja: "フレッツ・v6オプションの契約を確認してください。", en: "Confirm your FLET'S v6 option contract.")
    static let customerIdFormat = Self(
        code: "format", ja: "お客さまIDは「CAF」「COP」を除いた半角数字10桁で入力してください。", en: "Enter the customer ID as 10 digits, without the CAF/COP prefix.")
    static let yearMonthFormat = Self(code: "format", ja: "「YYYY-MM」（例: 2026-04）の形式で入力してください。", en: "Use the form YYYY-MM, e.g. 2026-04.")
    static let secretNumberFormat = Self(code: "format", ja: "秘密の番号は半角数字4桁で入力してください。", en: "The secret number must be exactly 4 digits.")
    static let notUTF8 = Self(
        code: "format", ja: "文字化けした値が送信されました。文字を入力し直して、もう一度送信してください。", en: "The value is not valid UTF-8 text. Type it again and resubmit.")
    /// A field sent twice in one submission.
    static let duplicateField = Self(
        code: "duplicate_field", ja: "同じ項目が2回送信されました。1回だけ送信してください。", en: "This field was sent more than once. Send it once.")
    static let invoiceOnly = Self(
        code: "not_allowed", ja: "職域診療所は「払込請求書による振込み」のみ選択できます。", en: "A workplace clinic can only choose payment by invoice.")
}

extension FormMessages {
    /// A field that a returned application's corrections cannot change.
    static let notCorrectable = Message(
        code: "not_allowed", ja: "この項目は差戻し後に修正できません。変更が必要な場合は受付番号を添えてお問い合わせください。",
        en: "This field cannot be corrected after a return. Contact us with your receipt number if it must change.")
    /// The 秘密の番号: never shown or changed after submission.
    static let secretNotCorrectable = Message(
        code: "not_allowed", ja: "秘密の番号は申請後に変更できません。この項目は送信しないでください。",
        en: "The secret number cannot be changed after submission. Do not send this field.")

    static func documentRequired(_ slot: DocumentSlot) -> Message {
        Message(
            code: "required", ja: "\(slot.japaneseName)を1ファイル添付してください（PDF・PNG・Excel、100MBまで）。",
            en: "Attach one file for \(slot.rawValue) (PDF, PNG or Excel, up to 100 MB).")
    }

    static func documentNotAllowed(_ slot: DocumentSlot) -> Message {
        Message(
            code: "not_allowed", ja: "\(slot.japaneseName)の添付は職域診療所の申請のみ必要です。ファイルを外して送信してください。",
            en: "Only a workplace clinic attaches \(slot.rawValue). Remove the file and submit again.")
    }

    /// A file over the cap; `slot` is nil where no form is involved (`docintake identify`).
    static func fileTooLarge(_ slot: DocumentSlot?, limit: Int64) -> Message {
        let prefix = slot.map { "\($0.japaneseName)の" } ?? ""
        let which = slot.map { "The file for \($0.rawValue)" } ?? "The file"
        let cap = FileSizeText.japanese(limit)
        return Message(
            code: "file_too_large", ja: "\(prefix)ファイルが上限（\(cap)）を超えています。\(cap)以下のファイルにしてください。",
            en: "\(which) is over the limit of \(limit) bytes. Upload a smaller file.")
    }

    static let checkDigitWarning = FieldMessage(
        field: FormField.institutionCode.rawValue, code: "check_digit_mismatch",
        message: "医療機関等コードの検証番号が一致しません。誤りがないかご確認ください（受付は行いました）。",
        messageEn: "The institution code's check digit does not match. Please check it (the application was accepted).")
}
