/// Why a reviewer's request was refused (the reviewer client's `ReviewRefusal` is what it makes of
/// the answer).
enum ReviewRefusal: Error, Sendable, Equatable {
    /// No reviewer token, or one unknown or revoked.
    case unauthorized
    /// An applicant's token on the review API.
    case forbidden
    /// No such application or document.
    case notFound
    /// An `after` cursor this server did not give.
    case invalidCursor
    /// A return or rejection without a reason.
    case reasonRequired
    /// The application's status does not allow the request.
    case conflict(current: String, requested: String)
    /// A `Range` beyond the document's end.
    case rangeNotSatisfiable(size: Int64)
    /// The slot's current document is quarantined: a rescan found malware in it.
    case quarantined(DocumentSlot)
}
