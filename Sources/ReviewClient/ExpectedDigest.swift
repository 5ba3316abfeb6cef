import Foundation
import NIOHTTP1

/// The SHA-256 a document response promises for the whole document, from `Repr-Digest`
/// (RFC 9530) and the strong `ETag`, which the server sets to the same hash in hex.
public struct ExpectedDigest: Sendable, Equatable {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// Lowercase hex, as `sha256sum` prints it.
    public var hex: String { Hex.encode(bytes) }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads both headers. Either suffices; when both are present they must agree, since a
    /// disagreement means the server is confused about which bytes it is sending.
    static func from(_ headers: HTTPHeaders, file: String) throws(ReviewError) -> ExpectedDigest {
        let reprValues = headers["Repr-Digest"]
        let repr = reprValues.isEmpty ? nil : reprDigestSHA256(reprValues.joined(separator: ","))
        let etag = headers.first(name: "ETag").flatMap(etagSHA256)
        switch (repr, etag) {
        case let (repr?, etag?) where repr != etag:
            throw .integrity(.conflictingDigests(file: file, reprDigest: Hex.encode(repr), etag: Hex.encode(etag)))
        case let (digest?, _), let (nil, digest?):
            return ExpectedDigest(bytes: digest)
        case (nil, nil):
            throw .integrity(.missingDigest(file: file))
        }
    }

    /// The `sha-256` member of a `Repr-Digest` dictionary (`sha-256=:<base64>:`, RFC 8941 byte
    /// sequence, parameters allowed), if it decodes to exactly 32 bytes.
    public static func reprDigestSHA256(_ value: String) -> [UInt8]? {
        for member in value.split(separator: ",") {
            let pair = member.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "sha-256" else { continue }
            let item = pair[1].trimmingCharacters(in: .whitespaces)
            // Parameters follow the byte sequence after `;`, and `;` is not a base64 character.
            let bare = item.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard bare.count >= 2, bare.hasPrefix(":"), bare.hasSuffix(":"),
                let data = Data(base64Encoded: String(bare.dropFirst().dropLast())), data.count == 32
            else { return nil }
            return Array(data)
        }
        return nil
    }

    /// A strong `ETag` that holds 64 hex digits. A weak one (`W/`) promises nothing about bytes.
    public static func etagSHA256(_ value: String) -> [UInt8]? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 66, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") else { return nil }
        return Hex.decode(String(trimmed.dropFirst().dropLast()))
    }
}
