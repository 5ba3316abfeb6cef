/// What the globals substream of a BIFF5/BIFF8 workbook stream ([MS-XLS] 2.1.7.20.1) says about
/// encryption and Excel 4.0 (XLM) macro sheets. Record by record, skipping record data it does not need.
struct BIFFGlobals: Sendable {
    static let bof: UInt16 = 0x0809
    static let eof: UInt16 = 0x000A
    /// Belongs right after BOF (or WriteProtect); found anywhere, it still means an encrypted workbook.
    static let filePass: UInt16 = 0x002F
    static let boundSheet: UInt16 = 0x0085
    /// BoundSheet8 `dt` values: an Excel 4.0 macro sheet, and a BIFF5 VBA module sheet.
    static let macroSheetTypes: Set<UInt8> = [0x01, 0x06]

    let isEncrypted: Bool
    /// The name-free description of the first macro sheet found, for logs.
    let macroSheet: String?

    init(_ reader: inout CFBStreamReader) throws {
        let bof = try reader.read(4)
        guard bof.count == 4, bof.uint16LE(at: 0) == Self.bof else {
            throw Rejection(.corrupt, detail: "XLS: workbook stream does not start with a BOF record")
        }
        try reader.skip(Int(bof.uint16LE(at: 2)))
        var encrypted = false
        var macroSheet: String?
        var index = 1
        while macroSheet == nil {
            let header = try reader.read(4)
            guard header.count == 4 else { break }
            let type = header.uint16LE(at: 0)
            let length = Int(header.uint16LE(at: 2))
            if type == Self.eof { break }
            if type == Self.filePass {
                // Everything after FilePass is encrypted; there is nothing more to read.
                encrypted = true
                break
            }
            if type == Self.boundSheet, length >= 6 {
                let fields = try reader.read(6)
                if fields.count == 6, Self.macroSheetTypes.contains(fields[5]) {
                    macroSheet = "BoundSheet record \(index) has sheet type \(fields[5])"
                }
                try reader.skip(length - 6)
            } else {
                try reader.skip(length)
            }
            index += 1
        }
        isEncrypted = encrypted
        self.macroSheet = macroSheet
    }
}
