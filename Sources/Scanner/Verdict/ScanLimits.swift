/// Bounds that keep a hostile file from costing unbounded time or memory, and the bomb thresholds for ZIPs.
public struct ScanLimits: Sendable, Equatable {
    /// The largest sum of the uncompressed sizes that a ZIP's central directory may state.
    public var maxZipUncompressedTotal: Int
    /// The largest uncompressed/compressed ratio allowed for one ZIP entry.
    public var maxZipEntryRatio: Int
    /// Entries smaller than this (uncompressed) are exempt from the ratio check: a tiny entry
    /// cannot be a bomb, while deflate reaches high ratios on small, repetitive XML.
    public var zipRatioExemptBelow: Int
    /// The largest `[Content_Types].xml` that is inflated; a genuine one is a few KiB.
    public var maxContentTypesSize: Int
    /// The most directory entries read from a CFB (OLE2) container; a genuine workbook has dozens.
    public var maxCFBDirectoryEntries: Int

    /// Limits with the defaults from the intake issue: 1 GiB total, ratio 200.
    public init(
        maxZipUncompressedTotal: Int = 1 << 30,
        maxZipEntryRatio: Int = 200,
        zipRatioExemptBelow: Int = 64 << 10,
        maxContentTypesSize: Int = 4 << 20,
        maxCFBDirectoryEntries: Int = 1 << 14
    ) {
        self.maxZipUncompressedTotal = maxZipUncompressedTotal
        self.maxZipEntryRatio = maxZipEntryRatio
        self.zipRatioExemptBelow = zipRatioExemptBelow
        self.maxContentTypesSize = maxContentTypesSize
        self.maxCFBDirectoryEntries = maxCFBDirectoryEntries
    }
}
