import NIOHTTP1

/// What a document response means for the bytes already in the temp file.
enum TransferStart: Equatable {
    /// The body is the whole document: whatever the temp file holds must go.
    case whole(size: Int64?, digest: ExpectedDigest)
    /// The body continues the temp file from `offset` to the end of a `size`-byte document.
    case resume(offset: Int64, size: Int64, digest: ExpectedDigest)
    /// The server cannot serve the range asked for (the document changed, or the temp file is
    /// longer than it): start over without a range.
    case rangeNotSatisfiable
    /// An error status; its problem body says why.
    case failure

    /// Classifies a response to a request that asked for bytes from `requestedOffset` on (with a
    /// `Range` header when it is not zero).
    static func classify(
        status: HTTPResponseStatus, headers: HTTPHeaders, requestedOffset: Int64, file: String
    ) throws(ReviewError) -> TransferStart {
        switch status.code {
        case 200:
            // A server may ignore Range and send everything; RFC 9110 allows it.
            let size = headers.first(name: "Content-Length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
            return .whole(size: size, digest: try ExpectedDigest.from(headers, file: file))
        case 206:
            guard requestedOffset > 0 else {
                throw .invalidResponse("a partial response (206) to a request for the whole of \(file)")
            }
            guard let header = headers.first(name: "Content-Range"), let range = ContentRange(header) else {
                throw .invalidResponse("a partial response (206) for \(file) without a valid Content-Range")
            }
            guard range.first == requestedOffset, range.last == range.complete - 1 else {
                throw .invalidResponse(
                    "asked for \(file) from byte \(requestedOffset) to the end, but the server sent bytes \(range.first)-\(range.last)/\(range.complete)"
                )
            }
            return .resume(offset: range.first, size: range.complete, digest: try ExpectedDigest.from(headers, file: file))
        case 416 where requestedOffset > 0:
            return .rangeNotSatisfiable
        default:
            return .failure
        }
    }
}
