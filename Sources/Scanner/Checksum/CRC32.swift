import CZlib

/// CRC-32 (ISO-HDLC: the one PNG and ZIP use), computed by zlib. Over the 313 MB of XML in the large
/// workbook of BENCHMARKS.md, zlib's took 89 ms of CPU and the slicing-by-8 table it replaced 258 ms.
struct CRC32: Sendable {
    private var state: UInt = 0

    /// The CRC of everything passed to ``update(_:)`` so far.
    var value: UInt32 { UInt32(truncatingIfNeeded: state) }

    mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil { update(Array(bytes)) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var left = bytes.count
        // zlib takes a 32-bit length per call.
        while left > 0 {
            let count = min(left, Int(UInt32.max))
            state = crc32(state, next, UInt32(count))
            next += count
            left -= count
        }
    }
}
