import Multipart

/// The bounds an upload is held to while its bytes arrive.
struct IntakeLimits: Sendable {
    /// The per-document cap (100 MiB by default): a file of exactly this size is accepted.
    var maxFileSize: Int64
    /// The largest text field value, in bytes.
    var maxTextFieldBytes: Int
    /// Parts, headers, file names, preamble and epilogue. A file name up to 1 KiB is taken and
    /// shortened (``DisplayFileName``) rather than failing a whole application over it.
    var multipart: MultipartLimits

    init(
        maxFileSize: Int64 = DomainFacts.defaultMaxFileSize, maxTextFieldBytes: Int = 64 * 1024,
        multipart: MultipartLimits = MultipartLimits(maxFilenameBytes: 1024)
    ) {
        self.maxFileSize = maxFileSize
        self.maxTextFieldBytes = maxTextFieldBytes
        self.multipart = multipart
    }

    /// The most a whole request may declare: two documents plus 1 MiB for the fields and framing.
    var maxRequestBytes: Int64 { 2 * maxFileSize + 1024 * 1024 }

    /// The most a one-document replacement may declare.
    var maxSingleDocumentRequestBytes: Int64 { maxFileSize + 1024 * 1024 }
}
