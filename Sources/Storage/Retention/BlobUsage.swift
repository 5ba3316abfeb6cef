/// A known blob and how many document rows reference it.
public struct BlobUsage: Sendable, Equatable {
    public var blob: BlobRecord
    public var references: Int

    public init(blob: BlobRecord, references: Int) {
        self.blob = blob
        self.references = references
    }
}
