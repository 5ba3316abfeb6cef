/// Why a downloaded document cannot be trusted. None of these leaves a final file behind.
public enum IntegrityFailure: Sendable, Equatable {
    /// The bytes received hash to something other than the server's stated SHA-256.
    case digestMismatch(file: String, expected: String, actual: String)
    /// The transfer ended before the last byte. The server aborts a transfer this way when the
    /// stored blob no longer matches its hash, so this is not merely a network hiccup.
    case truncated(file: String, partFile: String, received: Int64, expected: Int64?)
    /// The server refused the document because its stored copy failed the server's own SHA-256
    /// check (`blob_corrupt`); the partial download was deleted, since no retry can finish it.
    case corruptOnServer(file: String, document: String)
    /// More bytes arrived than the response declared.
    case oversized(file: String, expected: Int64)
    /// The response carried neither `Repr-Digest` nor a SHA-256 `ETag`, so nothing can be verified.
    case missingDigest(file: String)
    /// `Repr-Digest` and `ETag` name different SHA-256 values.
    case conflictingDigests(file: String, reprDigest: String, etag: String)

    var message: String {
        switch self {
        case let .digestMismatch(file, expected, actual):
            return """
                integrity failure: the download of \(file) does not match the server's SHA-256, so it was deleted and nothing was saved.
                  expected sha256 \(expected)
                  received sha256 \(actual)
                Run the command again; if it fails again, the stored document is damaged: tell an operator.
                """
        case let .truncated(file, partFile, received, expected):
            let of = expected.map { " of \($0)" } ?? ""
            let kept =
                received > 0
                ? "The bytes received are kept in \(partFile) and the next run resumes from them.\n" : ""
            return """
                integrity failure: the transfer of \(file) stopped after \(received)\(of) bytes, so it was not saved.
                The server cuts a transfer off when the stored document fails its integrity check; a network failure looks the same.
                \(kept)If it stops again, the stored document is damaged: tell an operator.
                """
        case let .corruptOnServer(file, document):
            return """
                integrity failure: the server's stored copy of \(document) is corrupt (it no longer matches its SHA-256), so \(file) was not saved
                and the partial download was deleted. Tell an operator; the document becomes readable again when the applicant uploads the same file.
                """
        case let .oversized(file, expected):
            return "integrity failure: the server sent more than the \(expected) bytes it declared for \(file); nothing was saved."
        case let .missingDigest(file):
            return "integrity failure: the server sent \(file) without a Repr-Digest or SHA-256 ETag, so it cannot be verified; nothing was saved."
        case let .conflictingDigests(file, reprDigest, etag):
            return """
                integrity failure: the server's Repr-Digest (sha256 \(reprDigest)) and ETag (\(etag)) disagree for \(file); nothing was saved.
                """
        }
    }
}
