/// Limits that keep a hostile body from costing unbounded memory or time.
///
/// Part content is deliberately not limited here: the caller streams it out and
/// knows which parts are files and which are text fields.
public struct MultipartLimits: Sendable, Equatable {
    /// Most parts a body may hold; the next one fails with `tooManyParts`.
    public var maxParts: Int
    /// Most bytes from the end of a boundary to the start of its part's content: the rest
    /// of the boundary line, the header lines and the blank line. Over it: `headersTooLarge`.
    public var maxHeaderBytesPerPart: Int
    /// Longest filename a part may declare, in UTF-8 bytes after decoding. Over it: `filenameTooLong`.
    public var maxFilenameBytes: Int
    /// Most bytes a body may carry before its first boundary. Over it: `preambleTooLarge`.
    public var maxPreambleBytes: Int
    /// Most bytes a body may carry after its closing boundary. Over it: `epilogueTooLarge`.
    public var maxEpilogueBytes: Int

    /// Creates limits; the defaults suit browser form uploads.
    public init(
        maxParts: Int = 32,
        maxHeaderBytesPerPart: Int = 16 * 1024,
        maxFilenameBytes: Int = 255,
        maxPreambleBytes: Int = 16 * 1024,
        maxEpilogueBytes: Int = 16 * 1024
    ) {
        self.maxParts = maxParts
        self.maxHeaderBytesPerPart = maxHeaderBytesPerPart
        self.maxFilenameBytes = maxFilenameBytes
        self.maxPreambleBytes = maxPreambleBytes
        self.maxEpilogueBytes = maxEpilogueBytes
    }
}
