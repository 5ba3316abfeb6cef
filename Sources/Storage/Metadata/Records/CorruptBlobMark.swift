import Foundation

/// A blob whose stored bytes failed their SHA-256 check on some read: downloads refuse it with a
/// clear error instead of a cut-off transfer, until the same bytes are uploaded again.
public struct CorruptBlobMark: Sendable, Equatable {
    /// The blob's digest, 64 lowercase hex digits.
    public let sha256: String
    /// When a read first found the mismatch.
    public let detectedAt: Date

    /// A mark on `sha256`, found at `detectedAt`.
    public init(sha256: String, detectedAt: Date) {
        self.sha256 = sha256
        self.detectedAt = detectedAt
    }
}
