/// A blob that garbage collection would delete, and why.
public struct BlobGarbage: Sendable, Hashable, Codable {
    /// Why the blob is garbage.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A blob row (and its file) that no document row references.
        case unreferenced
        /// A blob file with no row: a crash between placing the file and committing its rows.
        case orphanFile = "orphan_file"
        /// A blob row that no document references and whose file is already gone (for example
        /// a crash after a collection deleted the file but before it committed).
        case rowWithoutFile = "row_without_file"
    }

    /// The blob's name.
    public var sha256: String
    /// Bytes the file holds (0 when there is no file).
    public var size: Int64
    /// Why it is garbage.
    public var kind: Kind

    /// A blob to collect.
    public init(sha256: String, size: Int64, kind: Kind) {
        self.sha256 = sha256
        self.size = size
        self.kind = kind
    }
}
