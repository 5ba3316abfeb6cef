/// A known blob and how many document rows reference it.
public struct BlobUsage: Sendable, Equatable {
    /// The blob's row.
    public var blob: BlobRecord
    /// Document rows, current and superseded, that reference it.
    public var references: Int

    /// A blob row with its reference count.
    public init(blob: BlobRecord, references: Int) {
        self.blob = blob
        self.references = references
    }
}
