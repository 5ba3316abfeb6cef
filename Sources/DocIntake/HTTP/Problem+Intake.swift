import Hummingbird
import Scanner

/// The problems of the applicant's side: a submission refused, and a request about an existing
/// application (replace, correct, resubmit, ask for a link) refused.
extension Problem {
    init(_ error: IntakeError) {
        switch error {
        case .notMultipart:
            self.init(
                status: .unsupportedMediaType, code: "not_multipart",
                detail: "multipart/form-data 形式で送信してください。", detailEn: "Send the form as multipart/form-data.")
        case .malformedMultipart(let error):
            self.init(
                status: .badRequest, code: "malformed_multipart",
                detail: "送信データの形式が正しくありません（\(error.code.rawValue)）。もう一度送信してください。",
                detailEn: "The multipart body is malformed (\(error.code.rawValue)). Send the form again.")
        case .requestTooLarge(let limit):
            self.init(
                status: .contentTooLarge, code: "request_too_large",
                detail: "送信データが大きすぎます（上限 \(limit) バイト）。各ファイルは100MBまでです。",
                detailEn: "The request is too large (limit \(limit) bytes). Each file may be at most 100 MB.")
        case .fileTooLarge(let slot, let limit):
            let problem = FormMessages.fileTooLarge(slot, limit: limit)
            self.init(
                status: .contentTooLarge, code: problem.code, detail: problem.ja, detailEn: problem.en,
                errors: [FieldError(field: slot.rawValue, code: problem.code, message: problem.ja, messageEn: problem.en)])
        case .fieldTooLarge(let field, let limit):
            let message = "入力内容が長すぎます（上限 \(limit) バイト）。"
            let english = "The value is too long (limit \(limit) bytes)."
            self.init(
                status: .contentTooLarge, code: "field_too_large", detail: message, detailEn: english,
                errors: [FieldError(field: field, code: "too_long", message: message, messageEn: english)])
        case .documentRejected(let slot, let rejection):
            let status: HTTPResponse.Status = rejection.reason == .typeNotAllowed ? .unsupportedMediaType : .unprocessableContent
            let error = FieldError(slot, rejection)
            self.init(status: status, code: error.code, detail: error.message, detailEn: error.messageEn, errors: [error])
        case .duplicateFile(let slot):
            let message = "\(slot.japaneseName)は1ファイルだけ添付してください。"
            let english = "Attach exactly one file for \(slot.rawValue)."
            self.init(
                status: .unprocessableContent, code: "duplicate_file", detail: message, detailEn: english,
                errors: [FieldError(field: slot.rawValue, code: "duplicate_file", message: message, messageEn: english)])
        case .unknownPart(let name):
            let message = "「\(name)」という添付ファイル欄はありません。開設届の写し（opening_notification）と開設許可書の写し（opening_permit）のみ添付できます。"
            let english = "There is no file field named \"\(name)\". Only opening_notification and opening_permit take files."
            self.init(
                status: .unprocessableContent, code: "unknown_part", detail: message, detailEn: english,
                errors: [FieldError(field: name, code: "unknown_part", message: message, messageEn: english)])
        case .documentNotAllowed(let slot):
            let problem = FormMessages.documentNotAllowed(slot)
            self.init(
                status: .unprocessableContent, code: "not_allowed", detail: problem.ja, detailEn: problem.en,
                errors: [FieldError(field: slot.rawValue, code: problem.code, message: problem.ja, messageEn: problem.en)])
        case .invalidForm(let errors):
            self.init(
                status: .unprocessableContent, code: "validation_failed",
                detail: "入力内容に誤りがあります。各項目のメッセージを確認してください。",
                detailEn: "Some fields are not valid. See the message for each field.", errors: errors.errors)
        case .storageFull:
            self.init(
                status: Self.insufficientStorageStatus, code: "storage_full",
                detail: "現在サーバーの保存領域が不足しているため受け付けできません。時間をおいて再度送信してください。",
                detailEn: "The server is out of storage space. Nothing was stored; try again later.")
        case .scannerUnavailable:
            self.init(
                status: .serviceUnavailable, code: "scanner_unavailable",
                detail: "現在ウイルス検査を行えないため受け付けできません。書類は保存されていません。しばらく待ってから再度送信してください。",
                detailEn: "The virus scan is unavailable right now, so nothing was stored. Try again in a few minutes.")
            retryAfter = 30
        case .stoppedEarly(let cause, let alsoInvalid):
            // The status and code stay the cause's: it is why the upload stopped.
            self.init(cause)
            var all = alsoInvalid
            for error in errors { all.add(error) }
            all.sortInFormOrder()
            errors = all.errors
        }
    }

    init(_ error: ApplicantError) {
        switch error {
        case .notFound:
            self.init(
                status: .notFound, code: "not_found", detail: "申請が見つかりません。申請IDとアクセストークンを確認してください。",
                detailEn: "No such application, or the access token does not match it.")
        case .wrongStatus(let status):
            self.init(
                status: .conflict, code: "status_conflict",
                detail: "現在の状態（\(status.japaneseName)）ではこの操作はできません。",
                detailEn: "This is not possible while the application is \(status.rawValue).")
        case .quarantinedDocuments(let slots):
            let names = slots.map { "「\($0.japaneseName)」" }.joined(separator: "と")
            self.init(
                status: .conflict, code: "quarantined",
                detail: "\(names)は再検査でウイルスが検出されたため隔離されています。パソコンをウイルス対策ソフトで確認したうえで、"
                    + "元の書類からファイルを作り直して差し替えてから、再申請してください。",
                detailEn: "A rescan found malware in \(slots.map(\.rawValue).joined(separator: " and ")), which is quarantined. "
                    + "Check your computer with antivirus software, make the file again from the original, replace it, then resubmit.",
                errors: slots.map { slot in
                    FieldError(
                        field: slot.rawValue, code: "quarantined",
                        message: "ウイルスが検出されたため隔離されています。ファイルを作り直して差し替えてください。",
                        messageEn: "Quarantined: malware was found in it. Make the file again and replace it.")
                })
        case .nothingChanged:
            self.init(
                status: .conflict, code: "nothing_changed",
                detail: "差戻し後、書類の差し替えも申請内容の修正も行われていません。このまま再申請する場合は確認のうえ、もう一度再申請してください。",
                detailEn: "Nothing was replaced or corrected since the return. To resubmit unchanged, send {\"confirm_unchanged\": true}.")
        }
    }

    static let invalidCorrection = Problem(
        status: .badRequest, code: "invalid_json",
        detail: "修正する項目を JSON のオブジェクト（項目名と文字列の値）で送信してください。",
        detailEn: "Send the corrections as a JSON object of field names to string values.")

    static let invalidAccessLinkRequest = Problem(
        status: .unprocessableContent, code: "validation_failed",
        detail: "受付番号（receipt_number）と連絡先メールアドレス（contact_email）を JSON で送信してください。",
        detailEn: "Send receipt_number and contact_email as a JSON object.",
        errors: [
            FieldError(field: "receipt_number", code: "required", message: "受付番号を入力してください。", messageEn: "Enter the receipt number."),
            FieldError(
                field: "contact_email", code: "required", message: "連絡先メールアドレスを入力してください。",
                messageEn: "Enter the contact email."),
        ])

    static let accessLinkRateLimited = Problem(
        status: .tooManyRequests, code: "too_many_requests",
        detail: "リンクの再送のお申し込みが多すぎます。しばらく時間をおいてから、もう一度お試しください。",
        detailEn: "Too many requests for an access link. Wait a while (see Retry-After) and try again.")
}
