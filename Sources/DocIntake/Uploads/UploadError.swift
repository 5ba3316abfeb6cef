import Scanner

/// Why a resumable upload request was refused. Each case maps to one HTTP status and one machine
/// code (`Problem+Uploads.swift`); none is about the protocol's headers, which the routes check.
enum UploadError: Error, Sendable, Equatable {
    /// No session has this id (never created, terminated, or swept).
    case notFound
    /// The session expired; it is swept soon and can no longer be used.
    case expired
    /// The declared length is over the per-document cap: refused before any byte.
    case tooLarge(limit: Int64)
    /// A declared length that is no number, negative, or zero (an empty document is refused).
    case invalidLength
    /// The slot named at creation is missing or is no document slot.
    case invalidSlot(String?)
    /// The request starts at another offset than the session's durable one.
    case offsetMismatch(expected: Int64)
    /// Another request is appending to the session and its lease still runs.
    case locked(retryAfter: Int)
    /// The bytes of this request do not match its checksum: none of them were kept.
    case checksumMismatch
    /// The checksum names an algorithm this server does not support, or is malformed.
    case unsupportedChecksum
    /// The request carries more bytes than the declared length leaves.
    case beyondLength(length: Int64)
    /// The session's document was refused by a check; its bytes are gone.
    case refused(DocumentSlot, code: String, message: String, messageEn: String)
    /// The session is complete (accepted or used): nothing more can be appended.
    case complete
    /// Another request took the session over while this one was appending (its lease ran out).
    case leaseLost
    /// This server does not hold the bytes the session's offset counts (another server received
    /// them and they are not shared, or the shared copy is lost): the upload cannot continue here.
    case bytesMissing
    /// An application form names an upload that cannot be used: not accepted, another slot,
    /// expired, or already used.
    case unusable(DocumentSlot)
}
