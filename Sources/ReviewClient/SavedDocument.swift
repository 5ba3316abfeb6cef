/// A document written to disk and verified.
public struct SavedDocument: Sendable, Equatable {
    /// Where it was saved.
    public var path: String
    /// Its SHA-256, lowercase hex, equal to the server's.
    public var sha256: String
    /// Its size in bytes.
    public var size: Int64
    /// Its slot.
    public var slot: String
    /// The offset the transfer resumed from; zero when it started from the beginning.
    public var resumedFrom: Int64

    /// `<sha256>  <path>`, the line `sha256sum -c` checks.
    public var checksumLine: String { "\(sha256)  \(path)" }
}
