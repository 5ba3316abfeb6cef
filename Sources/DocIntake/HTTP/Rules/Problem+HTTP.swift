import HTTPTypes
import Hummingbird

/// The problems of HTTP itself (RFC 9110, RFC 9112), before any route's own rules.
extension Problem {
    /// No route has this path.
    static let unknownPath = Problem(
        status: .notFound, code: "not_found",
        detail: "指定されたURLは存在しません。URLを確認してください。",
        detailEn: "There is nothing at this URL. Check the address.")

    /// The path is known, the method is not one of its own (listed in `Allow`).
    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> Problem {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            status: .methodNotAllowed, code: "method_not_allowed",
            detail: "このURLでは \(method.rawValue) は使えません。使えるメソッド: \(list)。",
            detailEn: "\(method.rawValue) is not allowed here. Allowed methods: \(list).")
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or any request with more than one.
    static let invalidHost = Problem(
        status: .badRequest, code: "invalid_host",
        detail: "Host ヘッダーがない、または複数あります。Host ヘッダーを1つだけ付けて送信してください。",
        detailEn: "The request has no Host header, or more than one. Send exactly one Host header.")

    /// RFC 9112 §6.1: Transfer-Encoding did not exist in HTTP/1.0, so such a request's framing
    /// cannot be trusted.
    static let chunkedOnHTTP10 = Problem(
        status: .badRequest, code: "invalid_framing",
        detail: "HTTP/1.0 の要求では Transfer-Encoding は使えません。HTTP/1.1 で送信するか、Content-Length を付けてください。",
        detailEn: "An HTTP/1.0 request cannot use Transfer-Encoding. Use HTTP/1.1, or send a Content-Length.")

    /// A review decision's JSON body is over its bound.
    static func decisionTooLarge(limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge, code: "request_too_large",
            detail: "送信データが大きすぎます（上限 \(limit) バイト）。理由はもっと短く入力してください。",
            detailEn: "The decision is too large (limit \(limit) bytes). Shorten the reason.")
    }
}
