import Crypto
import Foundation

/// A resumable upload's id: 256 random bits, URL-safe (base64url). It is the session's secret —
/// whoever holds it may append to the upload and hand it to an application — so it is never
/// logged, and only its SHA-256 is stored.
struct UploadId: Sendable, CustomStringConvertible {
    /// The id as it appears in the upload's URL.
    let value: String

    /// A fresh random id.
    static func generate() -> UploadId {
        UploadId(value: AccessToken.generate(prefix: "").value)
    }

    init(value: String) {
        self.value = value
    }

    /// What is stored and looked up: the SHA-256 of the id, hex.
    var hash: String { AccessToken.hash(value) }

    /// Whether `text` can be an id at all (43 base64url characters), so that anything else is a
    /// 404 without a lookup.
    static func isWellFormed(_ text: Substring) -> Bool {
        text.utf8.count == 43
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
            }
    }

    var description: String { "UploadId(****)" }
}
