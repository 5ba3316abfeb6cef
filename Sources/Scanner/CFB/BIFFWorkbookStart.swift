/// The first records of a BIFF5/BIFF8 workbook stream, which tell whether the workbook is password-encrypted.
struct BIFFWorkbookStart: Sendable {
    static let bof: UInt16 = 0x0809
    static let filePass: UInt16 = 0x002F
    /// WriteProtect may stand between BOF and FilePass in the globals substream ([MS-XLS] 2.1.7.20.1).
    static let writeProtect: UInt16 = 0x0086
    /// Enough for BOF, WriteProtect and a FilePass header.
    static let bytesNeeded = 64

    let isEncrypted: Bool

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 4, bytes.uint16LE(at: 0) == Self.bof else {
            throw Rejection(.corrupt, detail: "XLS: workbook stream does not start with a BOF record")
        }
        var offset = 0
        var encrypted = false
        while offset + 4 <= bytes.count {
            let type = bytes.uint16LE(at: offset)
            if type == Self.filePass { encrypted = true }
            if offset > 0, type != Self.writeProtect { break }
            offset += 4 + Int(bytes.uint16LE(at: offset + 2))
        }
        isEncrypted = encrypted
    }
}
