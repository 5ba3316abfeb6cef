/// A canonical Huffman code given by its code lengths (RFC 1951 3.2.2), decoded a bit at a time:
/// slow, but the only input here is a small XML part.
struct HuffmanCode {
    static let maxBits = 15

    /// How many codes have each length.
    private var counts = [Int](repeating: 0, count: maxBits + 1)
    /// Symbols ordered by code.
    private var symbols: [Int]

    /// A code from per-symbol lengths (0 = unused). A dynamic block's code must be complete, except for
    /// the single-code case RFC 1951 allows; the fixed distance code is incomplete by design.
    init(lengths: [Int], isFixed: Bool = false) throws(InflateError) {
        for length in lengths { counts[length] += 1 }
        var left = 1
        for length in 1...Self.maxBits {
            left = left * 2 - counts[length]
            guard left >= 0 else { throw .invalid("over-subscribed Huffman code") }
        }
        let used = lengths.count - counts[0]
        if left > 0, !isFixed, used != 1 {
            throw .invalid("incomplete Huffman code")
        }
        var offsets = [Int](repeating: 0, count: Self.maxBits + 1)
        for length in 1..<Self.maxBits { offsets[length + 1] = offsets[length] + counts[length] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
    }

    func decode(_ reader: inout BitReader) throws(InflateError) -> Int {
        var code = 0
        var first = 0
        var index = 0
        for length in 1...Self.maxBits {
            code |= try reader.bits(1)
            let count = counts[length]
            if code - count < first { return symbols[index + (code - first)] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw .invalid("no Huffman code matches")
    }
}
