/// The prefix stage: decides from the first few bytes whether an upload can still be accepted.
enum PrefixSniffer {
    /// A mismatch this deep into a signature means "meant to be that type, but mangled"
    /// (say, a PNG whose line endings were converted), rather than some other type.
    static let damagedSignatureDepth = 4

    /// The longest prefix any decision needs.
    static let maxLength = max(Signature.maxLength, PhotoSignature.length)

    /// `isComplete`: the prefix is the whole file, so a photo signature it starts cannot be completed.
    static func sniff(_ prefix: some Collection<UInt8>, isComplete: Bool = false) -> PrefixVerdict {
        let head = prefix.prefix(maxLength)
        var deepestMismatch = 0
        var anyPartial = false
        for signature in Signature.all {
            switch signature.match(head) {
            case .full: return .candidate(signature.candidate)
            case .partial: anyPartial = true
            case .mismatch(let index): deepestMismatch = max(deepestMismatch, index)
            }
        }
        if anyPartial { return .needMoreBytes }
        switch PhotoSignature.match(head) {
        case .photo(let format): return .rejected(.photo(detail: "a \(format) photo"))
        case .partial where !isComplete: return .needMoreBytes
        case .partial, .mismatch: break
        }
        let detail = "first bytes \(hex(head)) match no allowed signature"
        if deepestMismatch >= damagedSignatureDepth {
            return .rejected(Rejection(.corrupt, detail: "damaged signature: " + detail))
        }
        return .rejected(Rejection(.typeNotAllowed, detail: detail))
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
