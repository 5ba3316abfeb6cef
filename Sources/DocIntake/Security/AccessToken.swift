import Crypto
import Foundation

/// A bearer token (an applicant's or a reviewer's): 256 random bits, shown once, stored as SHA-256.
struct AccessToken: Sendable, CustomStringConvertible {
    /// The token as the holder presents it. Never log it.
    let value: String

    /// A fresh random token with a readable prefix (`dia_` applicant, `dir_` reviewer) so a leaked
    /// token can be recognised by secret scanners.
    static func generate(prefix: String) -> AccessToken {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let encoded = bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return AccessToken(value: prefix + encoded)
    }

    /// The prefix of an applicant's token.
    static let applicantPrefix = "dia_"
    /// The prefix of a reviewer's token.
    static let reviewerPrefix = "dir_"

    init(value: String) {
        self.value = value
    }

    /// What is stored: the SHA-256 of the token, hex. A token has 256 bits of entropy, so a fast
    /// hash is enough; lookups by hash leak nothing useful about the token through timing.
    var hash: String { Self.hash(value) }

    static func hash(_ value: String) -> String {
        SHA256.hash(data: Array(value.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    var description: String { "AccessToken(****)" }
}
