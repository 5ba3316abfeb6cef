/// The leading bytes that identify an allowed container.
struct Signature: Sendable {
    /// One position of a signature.
    enum Byte: Sendable {
        case exact(UInt8)
        /// Any ASCII digit, as in the version after `%PDF-`.
        case digit

        func matches(_ byte: UInt8) -> Bool {
            switch self {
            case .exact(let expected): byte == expected
            case .digit: (0x30...0x39).contains(byte)
            }
        }
    }

    /// How a prefix relates to a signature.
    enum Match: Equatable {
        case full
        /// Every byte seen so far matches, but the signature is longer.
        case partial
        /// Mismatch at `index`: the bytes before it did match.
        case mismatch(at: Int)
    }

    let candidate: Candidate
    let bytes: [Byte]

    /// The signatures of the four allowed containers.
    static let all: [Signature] = [
        Signature(candidate: .pdf, bytes: Array("%PDF-".utf8).map(Byte.exact) + [.digit]),
        Signature(candidate: .png, bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A].map(Byte.exact)),
        Signature(candidate: .ole2, bytes: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1].map(Byte.exact)),
        Signature(candidate: .zip, bytes: [0x50, 0x4B, 0x03, 0x04].map(Byte.exact)),
    ]

    /// The longest signature: no answer ever needs more bytes than this.
    static let maxLength = all.map(\.bytes.count).max() ?? 0

    func match(_ prefix: some Collection<UInt8>) -> Match {
        for (index, (byte, expected)) in zip(prefix, bytes).enumerated() where !expected.matches(byte) {
            return .mismatch(at: index)
        }
        return prefix.count >= bytes.count ? .full : .partial
    }
}
