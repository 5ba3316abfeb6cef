/// One 128-byte directory entry ([MS-CFB] 2.6): a storage (folder), a stream (file), or the root.
struct CFBDirectoryEntry: Sendable {
    static let size = 128

    enum Kind: UInt8, Sendable {
        case unallocated = 0
        case storage = 1
        case stream = 2
        case root = 5
    }

    let name: String
    let kind: Kind
    let left: UInt32
    let right: UInt32
    let child: UInt32
    let startSector: UInt32
    let streamSize: UInt64

    init(_ bytes: ArraySlice<UInt8>, index: Int, sizeMask: UInt64) throws {
        guard let kind = Kind(rawValue: bytes[bytes.startIndex + 66]) else {
            throw Rejection(.corrupt, detail: "CFB: directory entry \(index) has object type \(bytes[bytes.startIndex + 66])")
        }
        self.kind = kind
        if kind == .unallocated {
            name = ""
        } else {
            // The length counts bytes including the UTF-16 terminator; names hold at most 31 characters.
            let nameLength = Int(bytes.uint16LE(at: 64))
            guard nameLength >= 2, nameLength <= 64, nameLength % 2 == 0 else {
                throw Rejection(.corrupt, detail: "CFB: directory entry \(index) has name length \(nameLength)")
            }
            let units = (0..<(nameLength / 2 - 1)).map { bytes.uint16LE(at: 2 * $0) }
            name = String(decoding: units, as: UTF16.self)
        }
        left = bytes.uint32LE(at: 68)
        right = bytes.uint32LE(at: 72)
        child = bytes.uint32LE(at: 76)
        startSector = bytes.uint32LE(at: 116)
        streamSize = bytes.uint64LE(at: 120) & sizeMask
    }

    /// CFB compares names case-insensitively; the names that matter here are ASCII.
    func isNamed(_ candidate: String) -> Bool {
        name.uppercased() == candidate.uppercased()
    }
}
