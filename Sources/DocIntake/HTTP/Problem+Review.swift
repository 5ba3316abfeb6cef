import Hummingbird

/// The problems of the reviewers' API.
extension Problem {
    init(_ error: ReviewRefusal) {
        switch error {
        case .unauthorized:
            self.init(
                status: .unauthorized, code: "unauthorized",
                detail: "審査担当者のトークンが必要です（未指定・無効・失効のいずれかです）。",
                detailEn: "A reviewer token is required; the one sent is missing, unknown or revoked.")
        case .forbidden:
            self.init(
                status: .forbidden, code: "forbidden", detail: "申請者のトークンでは審査用APIを利用できません。",
                detailEn: "An applicant token cannot use the review API.")
        case .notFound:
            self.init(
                status: .notFound, code: "not_found", detail: "申請または書類が見つかりません。",
                detailEn: "No such application or document.")
        case .invalidCursor:
            self.init(
                status: .badRequest, code: "invalid_cursor", detail: "ページ指定（after）が正しくありません。",
                detailEn: "The 'after' cursor is not valid.")
        case .reasonRequired:
            let message = "差戻し・却下には理由の入力が必要です。"
            let english = "A reason is required to return or reject an application."
            self.init(
                status: .unprocessableContent, code: "validation_failed", detail: message, detailEn: english,
                errors: [FieldError(field: "reason", code: "required", message: message, messageEn: english)])
        case .conflict(let current, let requested):
            let japanese = ApplicationStatus(rawValue: current)?.japaneseName ?? current
            self.init(
                status: .conflict, code: "status_conflict",
                detail: "現在の状態（\(japanese)）からは「\(requested)」できません。",
                detailEn: "Cannot \(requested) an application that is \(current).")
        case .quarantined(let slot):
            self.init(
                status: .conflict, code: "quarantined",
                detail: "この書類（\(slot.japaneseName)）は再検査でウイルスが検出されたため隔離されています。ダウンロードできません。"
                    + "申請は申請者に差し戻され、新しいファイルを待っています。",
                detailEn: "This document (\(slot.rawValue)) is quarantined: a rescan found malware in it, so it is never served. "
                    + "The application went back to the applicant for a new file.")
        case .rangeNotSatisfiable(let size):
            self.init(
                status: .rangeNotSatisfiable, code: "range_not_satisfiable",
                detail: "指定された範囲は書類の大きさ（\(size) バイト）を超えています。",
                detailEn: "The requested range is beyond the document's \(size) bytes.")
        }
    }

    /// The stored blob failed its SHA-256 check, now or on an earlier read (then before any byte).
    static let blobCorrupt = Problem(
        status: .internalServerError, code: "blob_corrupt",
        detail: "保存された書類が破損している（SHA-256 が一致しない）ため送信できません。運用担当者に連絡してください。申請者が同じファイルを再提出すると読めるようになります。",
        detailEn:
            "The stored document is corrupt (it no longer matches its SHA-256) and was not sent. Contact the operator; it becomes readable again when the applicant uploads the same file."
    )

    /// The document's row names a blob the store no longer has (deleted behind the service's back,
    /// or a restore that missed it); scrub lists it as missing.
    static let blobMissing = Problem(
        status: .internalServerError, code: "blob_missing",
        detail: "保存された書類のデータが見つからないため送信できません。運用担当者に連絡してください（docintake scrub で確認できます）。",
        detailEn: "The stored document's bytes are missing, so nothing was sent. Contact the operator (docintake scrub lists it).")

    static let invalidDecision = Problem(
        status: .unprocessableContent, code: "validation_failed",
        detail: "decision には approve・return・reject のいずれかを指定してください。",
        detailEn: "decision must be one of approve, return or reject.",
        errors: [
            FieldError(
                field: "decision", code: "invalid_choice", message: "approve・return・reject のいずれかを指定してください。",
                messageEn: "Use approve, return or reject.")
        ])

    static func invalidStatus(_ status: String) -> Problem {
        Problem(
            status: .badRequest, code: "invalid_status",
            detail: "不明な状態「\(status)」です。submitted, under_review, approved, returned, rejected, withdrawn, all が使えます。",
            detailEn: "Unknown status '\(status)'. Use submitted, under_review, approved, returned, rejected, withdrawn or all.")
    }

    static func invalidLimit(_ limit: String) -> Problem {
        Problem(
            status: .badRequest, code: "invalid_limit",
            detail: "件数（limit）「\(limit)」は使えません。1 から 200 までの整数を指定してください。",
            detailEn: "The limit '\(limit)' cannot be used. Give a whole number from 1 to 200.")
    }
}
