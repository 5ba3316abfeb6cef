/// Bounds that keep a hostile file from costing unbounded time or memory, and the bomb thresholds for ZIPs and PNGs.
public struct ScanLimits: Sendable, Equatable {
    /// The largest PNG width or height in pixels. The default, 20,000, fits an A3 page scanned at
    /// 600 dpi (about 7,016 × 9,921) in either orientation, with room to spare.
    public var maxImageSide: Int
    /// The most pixels a PNG may have (width × height). The default, 100 million, fits that A3 scan
    /// (about 70 million); it bounds what inflating the image data, and a reviewer's viewer, can cost.
    public var maxImagePixels: Int
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

    /// Limits with the defaults from the intake issues: 1 GiB total, ratio 200, 20,000 px a side, 100 Mpx.
    public init(
        maxImageSide: Int = 20_000,
        maxImagePixels: Int = 100_000_000,
        maxZipUncompressedTotal: Int = 1 << 30,
        maxZipEntryRatio: Int = 200,
        zipRatioExemptBelow: Int = 64 << 10,
        maxContentTypesSize: Int = 4 << 20,
        maxCFBDirectoryEntries: Int = 1 << 14
    ) {
        self.maxImageSide = maxImageSide
        self.maxImagePixels = maxImagePixels
        self.maxZipUncompressedTotal = maxZipUncompressedTotal
        self.maxZipEntryRatio = maxZipEntryRatio
        self.zipRatioExemptBelow = zipRatioExemptBelow
        self.maxContentTypesSize = maxContentTypesSize
        self.maxCFBDirectoryEntries = maxCFBDirectoryEntries
    }
}
