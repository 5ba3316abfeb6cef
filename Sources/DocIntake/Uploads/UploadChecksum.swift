import Crypto
import Foundation

/// The digest a client sent for one request's bytes (tus `Upload-Checksum`), checked before any of
/// them counts.
struct UploadChecksum: Sendable, Equatable {
    /// The algorithms a client may use: sha1 (what tuspy sends) and sha256.
    enum Algorithm: String, Sendable, CaseIterable {
        case sha1
        case sha256
    }

    let algorithm: Algorithm
    let digest: [UInt8]

    /// Parses `<algorithm> <base64 digest>`; nil for an unknown algorithm or a digest of the wrong size.
    init?(header: String) {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let algorithm = Algorithm(rawValue: parts[0].lowercased()),
            let digest = Data(base64Encoded: String(parts[1]))
        else { return nil }
        guard digest.count == (algorithm == .sha1 ? Insecure.SHA1.byteCount : SHA256.byteCount) else { return nil }
        self.algorithm = algorithm
        self.digest = Array(digest)
    }

    /// A hasher for the request's bytes.
    func hasher() -> Hasher { Hasher(algorithm: algorithm) }

    /// Hashes one request's bytes as they arrive.
    struct Hasher {
        private var sha1: Insecure.SHA1?
        private var sha256: SHA256?

        init(algorithm: Algorithm) {
            if algorithm == .sha1 { sha1 = Insecure.SHA1() } else { sha256 = SHA256() }
        }

        mutating func update(_ bytes: [UInt8]) {
            sha1?.update(data: bytes)
            sha256?.update(data: bytes)
        }

        func finalize() -> [UInt8] {
            if let sha1 { return Array(sha1.finalize()) }
            return Array(sha256!.finalize())
        }
    }
}
