/// One central directory file header: what the archive says about an entry, without reading the entry.
struct ZIPCentralEntry: Sendable {
    static let signature: UInt32 = 0x0201_4B50
    static let fixedSize = 46
    static let zip64ExtraID: UInt16 = 0x0001
    /// Info-ZIP Unicode Path: some unzippers extract under this name instead of the header's.
    static let unicodePathExtraID: UInt16 = 0x7075

    let flags: UInt16
    let method: UInt16
    let crc32: UInt32
    let compressedSize: UInt64
    let uncompressedSize: UInt64
    let localHeaderOffset: UInt64
    let name: [UInt8]
    let unicodePath: [UInt8]?

    /// General purpose flag bit 0: the entry's data is encrypted.
    var isEncrypted: Bool { flags & 1 != 0 }

    /// The name as text, for matching and logs (names are ASCII in every part that matters here).
    var nameText: String { String(decoding: name, as: UTF8.self) }

    /// Parses the fixed part `header` and its variable part `rest` (name, extra field, comment).
    init(header: [UInt8], rest: [UInt8]) throws {
        flags = header.uint16LE(at: 8)
        method = header.uint16LE(at: 10)
        crc32 = header.uint32LE(at: 16)
        let nameLength = Int(header.uint16LE(at: 28))
        let extraLength = Int(header.uint16LE(at: 30))
        name = Array(rest[0..<nameLength])
        var compressed = UInt64(header.uint32LE(at: 20))
        var uncompressed = UInt64(header.uint32LE(at: 24))
        var localOffset = UInt64(header.uint32LE(at: 42))
        var unicodePath: [UInt8]?

        var extra = rest[nameLength..<nameLength + extraLength]
        while extra.count >= 4 {
            let id = extra.uint16LE(at: 0)
            let size = Int(extra.uint16LE(at: 2))
            guard extra.count >= 4 + size else {
                throw Rejection(.corrupt, detail: "ZIP: extra field of \(String(decoding: name, as: UTF8.self)) overruns")
            }
            let field = extra.dropFirst(4).prefix(size)
            if id == Self.zip64ExtraID {
                // Only the fields saturated in the fixed header are present, in this order.
                var cursor = 0
                func widen(_ value: inout UInt64) throws {
                    guard value == 0xFFFF_FFFF else { return }
                    guard field.count >= cursor + 8 else { throw Rejection(.corrupt, detail: "ZIP64: extra field too short") }
                    value = field.uint64LE(at: cursor)
                    cursor += 8
                }
                try widen(&uncompressed)
                try widen(&compressed)
                try widen(&localOffset)
            } else if id == Self.unicodePathExtraID, size >= 5 {
                unicodePath = Array(field.dropFirst(5))
            }
            extra = extra.dropFirst(4 + size)
        }
        compressedSize = compressed
        uncompressedSize = uncompressed
        localHeaderOffset = localOffset
        self.unicodePath = unicodePath
    }
}
