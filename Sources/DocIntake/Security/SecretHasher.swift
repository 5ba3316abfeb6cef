import Crypto
import Foundation
import _CryptoExtras

/// Hashes the 秘密の番号 with a per-application salt, PBKDF2-SHA256 and then HMAC-SHA-256 keyed
/// with the server's pepper, and checks a candidate against a stored hash in constant time. Only
/// the encoded hash is ever stored.
///
/// The HMAC comes after the PBKDF2, not before: either order leaves a copy of the database unable
/// to test a guess, but this one keeps the PBKDF2 exactly the v1 derivation, so that a v1 hash
/// could be wrapped into v2 (HMAC of its stored key) without knowing its secret.
struct SecretHasher: Sendable {
    /// PBKDF2 rounds; 210,000 is swift-crypto's (and OWASP's) floor for SHA-256.
    var rounds: Int
    /// The server-side key; a copy of the database does not have it.
    let pepper: Pepper

    init(pepper: Pepper, rounds: Int = 210_000) {
        self.pepper = pepper
        self.rounds = rounds
    }

    /// `v2$pbkdf2-sha256+hmac$<rounds>$<salt, base64>$<HMAC(pepper, PBKDF2 key), base64>`.
    func hash(_ secret: SecretNumber) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let key = try derive(secret.digits, salt: salt, rounds: rounds)
        return "v2$pbkdf2-sha256+hmac$\(rounds)$\(salt.base64EncodedString())$\(peppered(key).base64EncodedString())"
    }

    /// Whether `secret` is the one `encoded` was made from: a v2 hash, or a v1 one
    /// (`pbkdf2-sha256$<rounds>$<salt>$<key>`, from before the pepper), which still verifies.
    /// A v1 hash is not rehashed on success: the service itself never checks a secret, so there
    /// is no such moment; wrapping v1 hashes would be a migration of its own.
    func verify(_ secret: SecretNumber, against encoded: String) throws -> Bool {
        let parts = encoded.split(separator: "$")
        let isPeppered: Bool
        switch (parts.count, parts.first) {
        case (5, "v2") where parts[1] == "pbkdf2-sha256+hmac": isPeppered = true
        case (4, "pbkdf2-sha256"): isPeppered = false
        default: return false
        }
        let fields = parts.suffix(3).map(String.init)
        guard let rounds = Int(fields[0]), rounds > 0, let salt = Data(base64Encoded: fields[1]),
            let expected = Data(base64Encoded: fields[2])
        else { return false }
        let key = try derive(secret.digits, salt: salt, rounds: rounds)
        return ConstantTime.equal(isPeppered ? peppered(key) : key, expected)
    }

    private func peppered(_ key: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: key, using: pepper.key))
    }

    /// Unchecked rounds: swift-crypto's checked call throws below 210,000, which made every
    /// submission fail on a server configured (in tests only: no flag sets it) with fewer.
    private func derive(_ digits: String, salt: Data, rounds: Int) throws -> Data {
        try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(digits.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds
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
