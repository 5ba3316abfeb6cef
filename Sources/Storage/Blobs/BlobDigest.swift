import Crypto

/// The SHA-256 of a blob's bytes: its name in a content-addressed store.
public struct BlobDigest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Lower-case hexadecimal, 64 characters.
    public let hex: String

    /// Accepts only a well-formed digest, so a digest can always be turned into a path safely.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        self.hex = hex
    }

    init(_ digest: SHA256.Digest) {
        self.hex = digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }

    /// The raw 32 bytes, e.g. for `Repr-Digest`'s base64 form.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            out.append(Self.nibble(high) << 4 | Self.nibble(low))
        }
        return out
    }

    public var description: String { "sha256:\(hex)" }

    private static func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x61 + 10 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let hex = try container.decode(String.self)
        guard let digest = BlobDigest(hex: hex) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a SHA-256 hex digest")
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
