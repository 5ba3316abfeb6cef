import Foundation
import Hummingbird
import Logging
import Storage

/// An RFC 9457 `application/problem+json` error: a status, a stable machine code, a message in
/// Japanese (`detail`) and English (`detail_en`), and every field error at once.
struct Problem: Error, Sendable, Equatable {
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

    /// The body, as openapi.yaml declares it once for the server and the reviewer client.
    var details: ProblemDetails {
        ProblemDetails(
            type: type, title: title, status: status, code: code, detail: detail, detailEn: detailEn,
            errors: errors.map { FieldMessage(field: $0.field, code: $0.code, message: $0.message, messageEn: $0.messageEn) })
    }

    /// The response, closing the connection when the request body was left unread.
    func response(closeConnection: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json; charset=utf-8", .cacheControl: "no-store"]
        if closeConnection { headers[.connection] = "close" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(details)) ?? Data()
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
        case let error as ReviewRefusal: self.init(error)
        case let error as ApplicantError: self.init(error)
        case let error as UploadError: self.init(error)
        case BlobStoreError.noSpace, MetadataStoreError.noSpace:
            // Any other write on a full disk, e.g. the audit entry every download needs.
            self.init(
                status: Self.insufficientStorageStatus, code: "storage_full",
                detail: "現在サーバーの保存領域が不足しているため処理できません。時間をおいて再度お試しください。",
                detailEn: "The server is out of storage space; nothing was changed. Try again later.")
        case MetadataStoreError.unavailable:
            // The database is down or unreachable: nothing was changed, and the server reconnects
            // by itself; the reason stays in the log (it names hosts, never the password).
            self.init(
                status: .serviceUnavailable, code: "database_unavailable",
                detail: "現在データベースに接続できないため処理できません。内容は保存されていません。しばらく待ってから再度お試しください。",
                detailEn: "The database is unavailable right now, so nothing was changed. Try again in a minute.")
            retryAfter = 30
        case BlobStoreError.unavailable:
            // The object store is down, slow or failing: the upload's rows were not committed, and
            // the next request tries the store again.
            self.init(
                status: .serviceUnavailable, code: "storage_unavailable",
                detail: "現在書類の保存先に接続できないため処理できません。内容は保存されていません。しばらく待ってから再度お試しください。",
                detailEn: "The document store is unavailable right now, so nothing was stored. Try again in a minute.")
            retryAfter = 30
        default: return nil
        }
    }

    /// The problem to answer for any error: the client's own, or a logged 500 that names no
    /// detail of the server's state.
    static func forResponse(_ error: any Error, logger: Logger) -> Problem {
        if let problem = Problem(error) { return problem }
        logger.error("request failed on the server's side", metadata: ["error": .string(String(describing: error))])
        return Problem(
            status: .internalServerError, code: "internal_error",
            detail: "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。送信内容は保存されていません。",
            detailEn: "The server failed to handle the request. Nothing was stored; please try again later.")
    }
}
