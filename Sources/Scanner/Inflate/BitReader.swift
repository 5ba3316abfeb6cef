/// Reads a deflate stream's bits, least significant first.
struct BitReader {
    private let input: [UInt8]
    private var position = 0
    private var buffer: UInt32 = 0
    private var count = 0

    init(_ input: [UInt8]) { self.input = input }

    /// The next `width` bits (at most 16) as a number.
    mutating func bits(_ width: Int) throws(InflateError) -> Int {
        while count < width {
            guard position < input.count else { throw .inputEnded }
            buffer |= UInt32(input[position]) << count
            position += 1
            count += 8
        }
        let value = Int(buffer & ((1 << width) - 1))
        buffer >>= width
        count -= width
        return value
    }

    /// Drops the bits left in the current byte, as a stored block starts on a byte boundary.
    mutating func alignToByte() {
        buffer = 0
        count = 0
    }

    /// The next `length` whole bytes, after ``alignToByte()``.
    mutating func bytes(_ length: Int) throws(InflateError) -> ArraySlice<UInt8> {
        guard input.count - position >= length else { throw .inputEnded }
        defer { position += length }
        return input[position..<position + length]
    }
}
