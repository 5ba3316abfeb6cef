/// The length and type that open every PNG chunk.
struct PNGChunkHeader: Sendable, Equatable {
    static let size = 8
    /// The spec caps chunk lengths at 2^31 − 1.
    static let maxLength: UInt32 = 0x7FFF_FFFF

    let length: UInt32
    /// The type's four bytes, kept raw: they go into the CRC.
    let type: [UInt8]

    init(_ bytes: [UInt8]) {
        length = bytes.uint32BE(at: 0)
        type = Array(bytes[4..<8])
    }

    var typeName: String { String(decoding: type, as: UTF8.self) }

    /// Chunk types are four ASCII letters; anything else means we are no longer on a chunk boundary.
    var hasValidType: Bool {
        type.allSatisfy { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
