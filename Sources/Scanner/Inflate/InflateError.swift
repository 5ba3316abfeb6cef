/// Why a deflate stream could not be decoded.
enum InflateError: Error, Equatable {
    /// The output would exceed the caller's limit.
    case outputLimitExceeded
    /// The input ended inside the stream.
    case inputEnded
    /// The stream breaks RFC 1951; the text says where, for logs.
    case invalid(String)
}
