/// Reads a file front to back through one fixed buffer, so checks that must see every byte use constant memory.
struct SequentialReader {
    static let bufferSize = 64 << 10

    private let file: FileReader
    private(set) var offset: Int64
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    init(file: FileReader, offset: Int64 = 0) {
        self.file = file
        self.offset = offset
        self.buffer = [UInt8](repeating: 0, count: Self.bufferSize)
    }

    /// Bytes not yet consumed before the end of the file.
    var remaining: Int64 { file.size - offset }

    /// The next bytes, at most `limit` and at least one, without copying them; nil at end of file.
    mutating func next(upTo limit: Int) throws -> ArraySlice<UInt8>? {
        if start == end {
            let position = offset
            let filled = try buffer.withUnsafeMutableBytes { raw in
                try file.read(at: position, into: raw)
            }
            guard filled > 0 else { return nil }
            start = 0
            end = filled
        }
        let count = min(limit, end - start)
        defer {
            start += count
            offset += Int64(count)
        }
        return buffer[start..<start + count]
    }

    /// Exactly `count` bytes (a small header), or nil when the file ends first.
    mutating func take(_ count: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            guard let slice = try next(upTo: count - bytes.count) else { return nil }
            bytes.append(contentsOf: slice)
        }
        return bytes
    }
}
