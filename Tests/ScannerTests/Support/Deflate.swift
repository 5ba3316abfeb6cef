/// Deflate and zlib streams written here, bit by bit, without zlib: an encoder independent of the one
/// the scanner decodes with, so that tests do not share its mistakes.
enum Deflate {
    /// `data` in stored blocks (RFC 1951 3.2.4).
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let count = min(0xFFFF, data.count - start)
            let isLast = start + count == data.count
            out.append(isLast ? 1 : 0)
            out.appendLE16(count)
            out.appendLE16(count ^ 0xFFFF)
            out += data[start..<start + count]
            start += count
        } while start < data.count
        return out
    }

    /// `count` zero bytes (count ≥ 1) in one fixed-Huffman block: a literal 0, then matches of
    /// length 258 (or less) at distance 1: 13 bits per 258 bytes, about 159 : 1, the shape of a classic bomb.
    static func zeros(count: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, width: 1)  // final block
        bits.write(1, width: 2)  // fixed Huffman
        bits.writeCode(0x30, width: 8)  // literal 0
        var left = count - 1
        while left > 0 {
            // Lengths 3…258; avoid leaving 1 or 2, which no match can cover.
            var length = min(258, left)
            if (1...2).contains(left - length) { length -= 3 }
            let (symbol, extraBits, extra) = lengthCode(length)
            // Symbols 256–279 have 7-bit codes from 0; 280–287 have 8-bit codes from 0xC0.
            if symbol <= 279 { bits.writeCode(symbol - 256, width: 7) } else { bits.writeCode(0xC0 + symbol - 280, width: 8) }
            bits.write(extra, width: extraBits)
            bits.writeCode(0, width: 5)  // distance code 0: distance 1
            left -= length
        }
        bits.writeCode(0, width: 7)  // end of block
        return bits.bytes
    }

    /// A zlib stream (RFC 1950) around the raw deflate stream `deflated` of `data`.
    static func zlib(_ deflated: [UInt8], of data: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        var out: [UInt8] = [0x78, 0x01] + deflated
        out.appendBE32(b << 16 | a)
        return out
    }

    private static func lengthCode(_ length: Int) -> (symbol: Int, extraBits: Int, extra: Int) {
        let bases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let extras = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let index = bases.lastIndex { $0 <= length }!
        return (257 + index, extras[index], length - bases[index])
    }
}

/// Writes bits least significant first, as deflate packs them; Huffman codes go most significant first.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var used = 8

    mutating func write(_ value: Int, width: Int) {
        for bit in 0..<width { append((value >> bit) & 1) }
    }

    mutating func writeCode(_ code: Int, width: Int) {
        for bit in (0..<width).reversed() { append((code >> bit) & 1) }
    }

    private mutating func append(_ bit: Int) {
        if used == 8 {
            bytes.append(0)
            used = 0
        }
        bytes[bytes.count - 1] |= UInt8(bit) << used
        used += 1
    }
}
