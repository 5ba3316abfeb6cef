import Foundation
import Hummingbird
import Logging
import Scanner
import Storage

/// An RFC 9457 `application/problem+json` error: a status, a stable machine code, a message in
/// Japanese (`detail`) and English (`detail_en`), and every field error at once.
struct Problem: Error, Sendable, Codable, Equatable {
    var type: String
    var title: String
    var status: Int
    var code: String
    var detail: String
    var detailEn: String
    var errors: [FieldError]
    /// Seconds after which a retry may succeed (a dependency that is down); sent as `Retry-After`.
    var retryAfter: Int? = nil

    init(status: HTTPResponse.Status, code: String, detail: String, detailEn: String, errors: [FieldError] = []) {
        self.type = "/problems/\(code)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.code = code
        self.detail = detail
        self.detailEn = detailEn
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, code, detail, errors
        case detailEn = "detail_en"
    }

    /// The response, closing the connection when the request body was left unread.
    func response(closeConnection: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json; charset=utf-8", .cacheControl: "no-store"]
        if closeConnection { headers[.connection] = "close" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    /// 507: the disk is full; the client may retry later.
    static let insufficientStorageStatus = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// The problem a client caused, or nil for an error that is the server's own fault.
    init?(_ error: any Error) {
        switch error {
        case let problem as Problem: self = problem
        case let error as IntakeError: self.init(error)
        case let error as ReviewError: self.init(error)
        case ApplicantError.notFound:
            self.init(status: .notFound, code: "not_found", detail: "申請が見つかりません。申請IDとアクセストークンを確認してください。",
                      detailEn: "No such application, or the access token does not match it.")
        case ApplicantError.wrongStatus(let status):
            let japanese = ApplicationStatus(rawValue: status)?.japaneseName ?? status
            self.init(status: .conflict, code: "status_conflict",
                      detail: "現在の状態（\(japanese)）ではこの操作はできません。",
                      detailEn: "This is not possible while the application is \(status).")
        case ApplicantError.quarantinedDocuments(let slots):
            let names = slots.map { "「\($0.japaneseName)」" }.joined(separator: "と")
            self.init(status: .conflict, code: "quarantined",
                      detail: "\(names)は再検査でウイルスが検出されたため隔離されています。パソコンをウイルス対策ソフトで確認したうえで、"
                        + "元の書類からファイルを作り直して差し替えてから、再申請してください。",
                      detailEn: "A rescan found malware in \(slots.map(\.rawValue).joined(separator: " and ")), which is quarantined. "
                        + "Check your computer with antivirus software, make the file again from the original, replace it, then resubmit.",
                      errors: slots.map { slot in
                          FieldError(field: slot.rawValue, code: "quarantined",
                                     message: "ウイルスが検出されたため隔離されています。ファイルを作り直して差し替えてください。",
                                     messageEn: "Quarantined: malware was found in it. Make the file again and replace it.")
                      })
        case ApplicantError.nothingChanged:
            self.init(status: .conflict, code: "nothing_changed",
                      detail: "差戻し後、書類の差し替えも申請内容の修正も行われていません。このまま再申請する場合は確認のうえ、もう一度再申請してください。",
                      detailEn: "Nothing was replaced or corrected since the return. To resubmit unchanged, send {\"confirm_unchanged\": true}.")
        case BlobStoreError.noSpace, MetadataStoreError.noSpace:
            // Any other write on a full disk, e.g. the audit entry every download needs.
            self.init(status: Self.insufficientStorageStatus, code: "storage_full",
                      detail: "現在サーバーの保存領域が不足しているため処理できません。時間をおいて再度お試しください。",
                      detailEn: "The server is out of storage space; nothing was changed. Try again later.")
        default: return nil
        }
    }

    /// The problem to answer for any error: the client's own, or a logged 500 that names no
    /// detail of the server's state.
    static func forResponse(_ error: any Error, logger: Logger) -> Problem {
        if let problem = Problem(error) { return problem }
        logger.error("request failed on the server's side", metadata: ["error": .string(String(describing: error))])
        return Problem(status: .internalServerError, code: "internal_error",
                       detail: "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。送信内容は保存されていません。",
                       detailEn: "The server failed to handle the request. Nothing was stored; please try again later.")
    }

    init(_ error: ReviewError) {
        switch error {
        case .unauthorized:
            self.init(status: .unauthorized, code: "unauthorized",
                      detail: "審査担当者のトークンが必要です（未指定・無効・失効のいずれかです）。",
                      detailEn: "A reviewer token is required; the one sent is missing, unknown or revoked.")
        case .forbidden:
            self.init(status: .forbidden, code: "forbidden", detail: "申請者のトークンでは審査用APIを利用できません。",
                      detailEn: "An applicant token cannot use the review API.")
        case .notFound:
            self.init(status: .notFound, code: "not_found", detail: "申請または書類が見つかりません。",
                      detailEn: "No such application or document.")
        case .invalidCursor:
            self.init(status: .badRequest, code: "invalid_cursor", detail: "ページ指定（after）が正しくありません。",
                      detailEn: "The 'after' cursor is not valid.")
        case .reasonRequired:
            let message = "差戻し・却下には理由の入力が必要です。"
            let english = "A reason is required to return or reject an application."
            self.init(status: .unprocessableContent, code: "validation_failed", detail: message, detailEn: english,
                      errors: [FieldError(field: "reason", code: "required", message: message, messageEn: english)])
        case .conflict(let current, let requested):
            let japanese = ApplicationStatus(rawValue: current)?.japaneseName ?? current
            self.init(status: .conflict, code: "status_conflict",
                      detail: "現在の状態（\(japanese)）からは「\(requested)」できません。",
                      detailEn: "Cannot \(requested) an application that is \(current).")
        case .quarantined(let slot):
            self.init(status: .conflict, code: "quarantined",
                      detail: "この書類（\(slot.japaneseName)）は再検査でウイルスが検出されたため隔離されています。ダウンロードできません。"
                        + "申請は申請者に差し戻され、新しいファイルを待っています。",
                      detailEn: "This document (\(slot.rawValue)) is quarantined: a rescan found malware in it, so it is never served. "
                        + "The application went back to the applicant for a new file.")
        case .rangeNotSatisfiable(let size):
            self.init(status: .rangeNotSatisfiable, code: "range_not_satisfiable",
                      detail: "指定された範囲は書類の大きさ（\(size) バイト）を超えています。",
                      detailEn: "The requested range is beyond the document's \(size) bytes.")
        }
    }

    static let integrityFailure = Problem(
        status: .internalServerError, code: "integrity_failure",
        detail: "保存された書類が破損しているため送信できません。運用担当者に連絡してください。",
        detailEn: "The stored document failed its integrity check and was not sent. Contact the operator.")

    static let invalidDecision = Problem(
        status: .unprocessableContent, code: "validation_failed",
        detail: "decision には approve・return・reject のいずれかを指定してください。",
        detailEn: "decision must be one of approve, return or reject.",
        errors: [FieldError(field: "decision", code: "invalid_choice", message: "approve・return・reject のいずれかを指定してください。",
                            messageEn: "Use approve, return or reject.")])

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
            FieldError(field: "contact_email", code: "required", message: "連絡先メールアドレスを入力してください。",
                       messageEn: "Enter the contact email."),
        ])

    static let accessLinkRateLimited = Problem(
        status: .tooManyRequests, code: "too_many_requests",
        detail: "リンクの再送のお申し込みが多すぎます。しばらく時間をおいてから、もう一度お試しください。",
        detailEn: "Too many requests for an access link. Wait a while (see Retry-After) and try again.")

    static func invalidStatus(_ status: String) -> Problem {
        Problem(status: .badRequest, code: "invalid_status",
                detail: "不明な状態「\(status)」です。submitted, under_review, approved, returned, rejected, withdrawn, all が使えます。",
                detailEn: "Unknown status '\(status)'. Use submitted, under_review, approved, returned, rejected, withdrawn or all.")
    }

    static func invalidLimit(_ limit: String) -> Problem {
        Problem(status: .badRequest, code: "invalid_limit",
                detail: "件数（limit）「\(limit)」は使えません。1 から 200 までの整数を指定してください。",
                detailEn: "The limit '\(limit)' cannot be used. Give a whole number from 1 to 200.")
    }

    init(_ error: IntakeError) {
        switch error {
        case .notMultipart:
            self.init(status: .unsupportedMediaType, code: "not_multipart",
                      detail: "multipart/form-data 形式で送信してください。", detailEn: "Send the form as multipart/form-data.")
        case .malformedMultipart(let error):
            self.init(status: .badRequest, code: "malformed_multipart",
                      detail: "送信データの形式が正しくありません（\(error.code.rawValue)）。もう一度送信してください。",
                      detailEn: "The multipart body is malformed (\(error.code.rawValue)). Send the form again.")
        case .requestTooLarge(let limit):
            self.init(status: .contentTooLarge, code: "request_too_large",
                      detail: "送信データが大きすぎます（上限 \(limit) バイト）。各ファイルは100MBまでです。",
                      detailEn: "The request is too large (limit \(limit) bytes). Each file may be at most 100 MB.")
        case .fileTooLarge(let slot, let limit):
            let problem = FormMessages.fileTooLarge(slot, limit: limit)
            self.init(status: .contentTooLarge, code: problem.code, detail: problem.ja, detailEn: problem.en,
                      errors: [FieldError(field: slot.rawValue, code: problem.code, message: problem.ja, messageEn: problem.en)])
        case .fieldTooLarge(let field, let limit):
            let message = "入力内容が長すぎます（上限 \(limit) バイト）。"
            let english = "The value is too long (limit \(limit) bytes)."
            self.init(status: .contentTooLarge, code: "field_too_large", detail: message, detailEn: english,
                      errors: [FieldError(field: field, code: "too_long", message: message, messageEn: english)])
        case .documentRejected(let slot, let rejection):
            let status: HTTPResponse.Status = rejection.reason == .typeNotAllowed ? .unsupportedMediaType : .unprocessableContent
            let error = FieldError(slot, rejection)
            self.init(status: status, code: error.code, detail: error.message, detailEn: error.messageEn, errors: [error])
        case .duplicateFile(let slot):
            let message = "\(slot.japaneseName)は1ファイルだけ添付してください。"
            let english = "Attach exactly one file for \(slot.rawValue)."
            self.init(status: .unprocessableContent, code: "duplicate_file", detail: message, detailEn: english,
                      errors: [FieldError(field: slot.rawValue, code: "duplicate_file", message: message, messageEn: english)])
        case .unknownPart(let name):
            let message = "「\(name)」という添付ファイル欄はありません。開設届の写し（opening_notification）と開設許可書の写し（opening_permit）のみ添付できます。"
            let english = "There is no file field named \"\(name)\". Only opening_notification and opening_permit take files."
            self.init(status: .unprocessableContent, code: "unknown_part", detail: message, detailEn: english,
                      errors: [FieldError(field: name, code: "unknown_part", message: message, messageEn: english)])
        case .documentNotAllowed(let slot):
            let problem = FormMessages.documentNotAllowed(slot)
            self.init(status: .unprocessableContent, code: "not_allowed", detail: problem.ja, detailEn: problem.en,
                      errors: [FieldError(field: slot.rawValue, code: problem.code, message: problem.ja, messageEn: problem.en)])
        case .invalidForm(let errors):
            self.init(status: .unprocessableContent, code: "validation_failed",
                      detail: "入力内容に誤りがあります。各項目のメッセージを確認してください。",
                      detailEn: "Some fields are not valid. See the message for each field.", errors: errors.errors)
        case .storageFull:
            self.init(status: Self.insufficientStorageStatus, code: "storage_full",
                      detail: "現在サーバーの保存領域が不足しているため受け付けできません。時間をおいて再度送信してください。",
                      detailEn: "The server is out of storage space. Nothing was stored; try again later.")
        case .scannerUnavailable:
            self.init(status: .serviceUnavailable, code: "scanner_unavailable",
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
}
