extension DocumentScanner {
    /// The prefix stage's signatures, for a client that checks a chosen file before sending it
    /// (the web form), so that both apply the same rule. Each pattern is a list of tokens: two
    /// lowercase hex digits for an exact byte, or `digit` for any ASCII digit. The server stays
    /// the judge; the client's check only spares a clinic's line an upload that would be refused.
    public static var prefixPatterns: [[String]] {
        Signature.all.map { signature in
            signature.bytes.map { byte in
                switch byte {
                case .exact(let value): PrefixSniffer.hex([value])
                case .digit: "digit"
                }
            }
        }
    }

    /// How many leading bytes of a signature must match before a mismatch reads as a damaged file
    /// of that type (`corrupt`) rather than another type (`type_not_allowed`).
    public static var damagedSignatureDepth: Int { PrefixSniffer.damagedSignatureDepth }
}
