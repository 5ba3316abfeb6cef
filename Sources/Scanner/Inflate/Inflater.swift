/// A bounded RFC 1951 (raw deflate) decoder for the one small part the ZIP check must read.
///
/// The output limit makes a decompression bomb cost at most `maxOutput` bytes.
enum Inflater {
    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block sends the code-length code's lengths.
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func inflate(_ input: [UInt8], maxOutput: Int) throws(InflateError) -> [UInt8] {
        var reader = BitReader(input)
        var output: [UInt8] = []
        var isLast = false
        while !isLast {
            isLast = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                try copyStored(&reader, into: &output, maxOutput: maxOutput)
            case 1:
                let (literals, distances) = try fixedCodes()
                try decodeBlock(&reader, literals, distances, into: &output, maxOutput: maxOutput)
            case 2:
                let (literals, distances) = try dynamicCodes(&reader)
                try decodeBlock(&reader, literals, distances, into: &output, maxOutput: maxOutput)
            default:
                throw .invalid("block type 3")
            }
        }
        return output
    }

    private static func copyStored(_ reader: inout BitReader, into output: inout [UInt8], maxOutput: Int) throws(InflateError) {
        reader.alignToByte()
        let header = try reader.bytes(4)
        let length = Int(header.uint16LE(at: 0))
        guard length ^ 0xFFFF == Int(header.uint16LE(at: 2)) else { throw .invalid("stored block length check") }
        guard output.count + length <= maxOutput else { throw .outputLimitExceeded }
        output += try reader.bytes(length)
    }

    private static func fixedCodes() throws(InflateError) -> (HuffmanCode, HuffmanCode) {
        let literalLengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
            + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
        return try (HuffmanCode(lengths: literalLengths, isFixed: true), HuffmanCode(lengths: [Int](repeating: 5, count: 30), isFixed: true))
    }

    private static func dynamicCodes(_ reader: inout BitReader) throws(InflateError) -> (HuffmanCode, HuffmanCode) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeLengthCount = try reader.bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .invalid("too many length or distance codes") }

        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[index]] = try reader.bits(3) }
        let codeLengthCode = try HuffmanCode(lengths: codeLengthLengths)

        var lengths: [Int] = []
        let total = literalCount + distanceCount
        while lengths.count < total {
            let symbol = try codeLengthCode.decode(&reader)
            let repeated: Int
            let value: Int
            switch symbol {
            case 0..<16:
                lengths.append(symbol)
                continue
            case 16:
                guard let previous = lengths.last else { throw .invalid("repeat with no previous length") }
                value = previous
                repeated = 3 + (try reader.bits(2))
            case 17:
                value = 0
                repeated = 3 + (try reader.bits(3))
            default:
                value = 0
                repeated = 11 + (try reader.bits(7))
            }
            guard lengths.count + repeated <= total else { throw .invalid("code lengths overrun") }
            lengths += repeatElement(value, count: repeated)
        }
        guard lengths[256] != 0 else { throw .invalid("no end-of-block code") }
        return try (HuffmanCode(lengths: Array(lengths[..<literalCount])), HuffmanCode(lengths: Array(lengths[literalCount...])))
    }

    private static func decodeBlock(
        _ reader: inout BitReader, _ literals: HuffmanCode, _ distances: HuffmanCode,
        into output: inout [UInt8], maxOutput: Int
    ) throws(InflateError) {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard output.count < maxOutput else { throw .outputLimitExceeded }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < lengthBase.count else { throw .invalid("length symbol \(symbol)") }
            let length = lengthBase[lengthIndex] + (try reader.bits(lengthExtra[lengthIndex]))
            let distanceSymbol = try distances.decode(&reader)
            guard distanceSymbol < distanceBase.count else { throw .invalid("distance symbol \(distanceSymbol)") }
            let distance = distanceBase[distanceSymbol] + (try reader.bits(distanceExtra[distanceSymbol]))
            guard distance <= output.count else { throw .invalid("distance \(distance) reaches before the output") }
            guard output.count + length <= maxOutput else { throw .outputLimitExceeded }
            // Byte by byte: a copy may overlap the bytes it is producing.
            let start = output.count - distance
            for offset in 0..<length { output.append(output[start + offset]) }
        }
    }
}
