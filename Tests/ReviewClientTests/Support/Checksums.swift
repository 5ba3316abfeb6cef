import Crypto
import Foundation

/// Reference encodings, written independently of the code under test.
enum Checksums {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    static func sha256Hex(_ bytes: [UInt8]) -> String { sha256(bytes).map { String(format: "%02x", $0) }.joined() }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// RFC 8187 percent-encoding, as the server writes `filename*`.
    static func percentEncoded(_ name: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        return name.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    /// Deterministic bytes that are not all alike, so a misplaced chunk changes the hash.
    static func sample(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
    }
}
