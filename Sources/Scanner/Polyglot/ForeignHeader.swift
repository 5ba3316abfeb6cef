/// The headers of other containers and of programs, looked for where a reader of that format would
/// find them in a PNG or PDF: at the start of a chunk's data, or right after the document's end.
enum ForeignHeader {
    private static let prefixes: [(name: String, bytes: [UInt8])] = [
        ("ZIP local header", [0x50, 0x4B, 0x03, 0x04]),
        ("ZIP end record", [0x50, 0x4B, 0x05, 0x06]),
        ("CFB (OLE2) header", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        ("ELF executable", [0x7F, 0x45, 0x4C, 0x46]),
        ("Mach-O executable", [0xCF, 0xFA, 0xED, 0xFE]),
        ("Mach-O executable", [0xCE, 0xFA, 0xED, 0xFE]),
        ("Mach-O executable", [0xFE, 0xED, 0xFA, 0xCF]),
        ("Mach-O executable", [0xFE, 0xED, 0xFA, 0xCE]),
        ("PDF header", Array("%PDF-".utf8)),
        ("RAR archive", Array("Rar!\u{1A}\u{07}".utf8)),
        ("7-Zip archive", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]),
    ]
    /// Enough of a chunk's start to find a PE header behind its MZ stub.
    static let inspectedLength = 1024

    /// The format whose header `bytes` start with, or nil.
    static func format(startingAt bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(inspectedLength))
        if let known = prefixes.first(where: { head.starts(with: $0.bytes) }) { return known.name }
        // "MZ" alone is two letters; a PE file's MZ stub points at its "PE\0\0" header.
        if head.starts(with: [0x4D, 0x5A]), head.count >= 0x40 {
            let peOffset = Int(head.uint32LE(at: 0x3C))
            if peOffset <= head.count - 4, head[peOffset..<peOffset + 4].elementsEqual([0x50, 0x45, 0, 0]) {
                return "PE (Windows) executable"
            }
        }
        return nil
    }
}
