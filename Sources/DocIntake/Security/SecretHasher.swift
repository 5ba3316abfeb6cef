import Crypto
import Foundation
import _CryptoExtras

/// Hashes the 秘密の番号 with a per-application salt and PBKDF2-SHA256, and checks a candidate
/// against a stored hash in constant time. Only the encoded hash is ever stored.
struct SecretHasher: Sendable {
    /// PBKDF2 rounds; 210,000 is swift-crypto's (and OWASP's) floor for SHA-256.
    var rounds: Int

    init(rounds: Int = 210_000) {
        self.rounds = rounds
    }

    /// `pbkdf2-sha256$<rounds>$<salt, base64>$<key, base64>`.
    func hash(_ secret: SecretNumber) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let key = try derive(secret.digits, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(salt.base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `secret` is the one `encoded` was made from.
    func verify(_ secret: SecretNumber, against encoded: String) throws -> Bool {
        let parts = encoded.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        return ConstantTime.equal(try derive(secret.digits, salt: salt, rounds: rounds), expected)
    }

    private func derive(_ digits: String, salt: Data, rounds: Int) throws -> Data {
        try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(digits.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds
        ).withUnsafeBytes { Data($0) }
    }
}

/// Comparisons whose time does not depend on where two secrets differ.
enum ConstantTime {
    static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
