import Hummingbird

/// The problems of the resumable upload API (`/api/v1/uploads`).
extension Problem {
    /// 460, tus's status for a request whose bytes do not match its `Upload-Checksum`.
    static let checksumMismatchStatus = HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
    /// 423: another request holds the upload.
    static let lockedStatus = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")

    init(_ error: UploadError) {
        switch error {
        case .notFound:
            self.init(
                status: .notFound, code: "upload_not_found",
                detail: "アップロードが見つかりません。ファイルを選び直して、最初からアップロードしてください。",
                detailEn: "No such upload (it may have been cancelled or removed). Choose the file again and upload it from the start.")
        case .expired:
            self.init(
                status: .gone, code: "upload_expired",
                detail: "アップロードの有効期限が切れました。ファイルを選び直して、最初からアップロードしてください。",
                detailEn: "The upload has expired. Choose the file again and upload it from the start.")
        case .tooLarge(let limit):
            self.init(
                status: .contentTooLarge, code: "file_too_large",
                detail: "ファイルが大きすぎます（上限 \(limit) バイト）。100MB以下のファイルにしてください。",
                detailEn: "The file is too large (limit \(limit) bytes). Each file may be at most 100 MB.")
        case .invalidLength:
            self.init(
                status: .badRequest, code: "invalid_upload_length",
                detail: "Upload-Length にファイルの大きさ（1以上のバイト数）を指定してください。空のファイルは添付できません。",
                detailEn: "Send the file's size in bytes (at least 1) as Upload-Length; an empty file cannot be attached.")
        case .invalidSlot(let slot):
            self.init(
                status: .badRequest, code: "invalid_slot",
                detail: "Upload-Metadata の slot に opening_notification（開設届の写し）か opening_permit（開設許可書の写し）を指定してください。",
                detailEn: "Name the document in Upload-Metadata's slot: opening_notification or opening_permit"
                    + (slot.map { " (not \"\($0)\")" } ?? "") + ".")
        case .offsetMismatch(let expected):
            self.init(
                status: .conflict, code: "offset_mismatch",
                detail: "送信位置が保存済みの位置（\(expected) バイト）と一致しません。保存済みの位置から再開してください。",
                detailEn: "Upload-Offset does not match the \(expected) bytes stored. Ask for the offset (HEAD) and resume from there.")
        case .locked(let seconds):
            self.init(
                status: Self.lockedStatus, code: "upload_locked",
                detail: "このアップロードは別の送信が処理中です。しばらく待ってから再開してください。",
                detailEn: "Another request is still sending to this upload. Wait (see Retry-After), then resume.")
            retryAfter = seconds
        case .checksumMismatch:
            self.init(
                status: Self.checksumMismatchStatus, code: "checksum_mismatch",
                detail: "送信内容が途中で壊れました（チェックサム不一致）。この部分は保存されていません。同じ位置から再送信してください。",
                detailEn: "The bytes do not match Upload-Checksum; none of this request's bytes were kept. Send them again.")
        case .unsupportedChecksum:
            self.init(
                status: .badRequest, code: "unsupported_checksum",
                detail: "Upload-Checksum は sha1 または sha256 と Base64 のダイジェストで指定してください。",
                detailEn: "Upload-Checksum must be sha1 or sha256 followed by the Base64 digest.")
        case .beyondLength(let length):
            self.init(
                status: .contentTooLarge, code: "upload_length_exceeded",
                detail: "宣言されたファイルの大きさ（\(length) バイト）を超えて送信されました。この部分は保存されていません。",
                detailEn: "The request carries more than the declared Upload-Length (\(length) bytes); none of it was kept.")
        case .refused(let slot, let code, let message, let messageEn):
            let status: HTTPResponse.Status = code == "type_not_allowed" ? .unsupportedMediaType : .unprocessableContent
            self.init(
                status: status, code: code, detail: message, detailEn: messageEn,
                errors: [FieldError(field: slot.rawValue, code: code, message: message, messageEn: messageEn)])
        case .complete:
            self.init(
                status: .conflict, code: "upload_complete",
                detail: "このアップロードはすでに完了しています。", detailEn: "This upload is already complete; nothing more can be sent to it.")
        case .leaseLost:
            self.init(
                status: .conflict, code: "upload_taken_over",
                detail: "このアップロードは別の送信に引き継がれました。保存済みの位置を確認して再開してください。",
                detailEn: "Another request took this upload over. Ask for the offset (HEAD) and resume from there.")
        case .bytesMissing:
            self.init(
                status: .conflict, code: "upload_not_resumable_here",
                detail: "このサーバーではアップロードを再開できません。ファイルを選び直して、最初からアップロードしてください。",
                detailEn: "This server does not hold the bytes sent so far, so the upload cannot resume here. Upload the file again from the start.")
        case .unusable(let slot):
            let message = "\(slot.japaneseName)のアップロードは使用できません（未完了、期限切れ、使用済み、または別の書類欄のもの）。ファイルを添付し直してください。"
            self.init(
                status: .unprocessableContent, code: "upload_unusable", detail: message,
                detailEn: "The upload named for \(slot.rawValue) cannot be used: it is incomplete, refused, expired, already used, "
                    + "or for the other document. Attach the file again.",
                errors: [
                    FieldError(
                        field: "\(slot.rawValue)_upload", code: "upload_unusable", message: message,
                        messageEn: "This upload cannot be used here. Attach the file again.")
                ])
        }
    }
}
