/// One ZIP entry as its bytes streamed past: what its local header at `localHeaderOffset` and the data
/// after it really hold, whatever either directory states.
///
/// Each record is a fact about the bytes at its offset alone, so the final stage may rely on it for a
/// central directory entry pointing there, however the stream reached that offset.
public struct ZIPStreamedEntry: Sendable, Equatable {
    /// Where the local header starts in the file.
    public var localHeaderOffset: UInt64
    /// The name the local header gives.
    public var name: [UInt8]
    /// The local header's compression method (0 stored, 8 deflate).
    public var method: UInt16
    /// The entry data's real length: the local header's size, or where deflate ended.
    public var compressedSize: UInt64
    /// What the data really decoded to (so far, for a rejected entry).
    public var uncompressedSize: UInt64
    /// The CRC-32 of the decoded bytes.
    public var crc32: UInt32
    /// Why decoding the data failed or was stopped; nil when it decoded completely, its deflate
    /// stream (if any) ending exactly at the end of its `compressedSize` bytes.
    public var rejection: Rejection?

    /// Whether this record vouches for `entry`: the same local header, and exactly what the
    /// central directory states. Then reading the entry again would find only what is recorded here.
    func vouches(for entry: ZIPCentralEntry) -> Bool {
        rejection == nil && localHeaderOffset == entry.localHeaderOffset && name == entry.name && method == entry.method
            && compressedSize == entry.compressedSize && uncompressedSize == entry.uncompressedSize && crc32 == entry.crc32
    }
}

/// What streaming through a ZIP upload's local headers found, for the final stage.
public struct ZIPStreamReport: Sendable, Equatable {
    /// The entries decoded while the upload arrived, in file order.
    public internal(set) var entries: [ZIPStreamedEntry] = []
    /// Why recording stopped before the central directory; nil when it got there. For logs and tests:
    /// the final stage checks whatever was not recorded, so no reason changes a verdict.
    public internal(set) var stopReason: String?

    /// An empty report: the final stage then reads every entry itself.
    public init() {}

    /// The entries that decoded completely, by local header offset.
    var verifiedByOffset: [UInt64: ZIPStreamedEntry] {
        Dictionary(entries.filter { $0.rejection == nil }.map { ($0.localHeaderOffset, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
