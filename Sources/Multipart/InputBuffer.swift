#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes appended but not yet consumed, addressed by offset from the first unconsumed byte.
///
/// Consumed bytes are dropped lazily, once they are at least as many as the live ones, so a
/// stream of 1-byte appends moves each byte O(1) times rather than once per append, while the
/// storage stays below twice the live bytes plus the latest append.
struct InputBuffer: Sendable {
    private var storage: [UInt8] = []
    private var start = 0

    /// Unconsumed bytes.
    var count: Int { storage.count - start }

    /// Bytes held, consumed or not: what the buffer costs.
    var footprint: Int { storage.count }

    subscript(offset: Int) -> UInt8 { storage[start + offset] }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= count {
            storage.removeSubrange(0..<start)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    mutating func consume(_ byteCount: Int) {
        start += byteCount
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    /// A copy of the unconsumed bytes in `range`.
    func copy(_ range: Range<Int>) -> [UInt8] {
        storage.withUnsafeBytes { stored in
            let source = UnsafeRawBufferPointer(
                rebasing: stored[(start + range.lowerBound)..<(start + range.upperBound)]
            )
            return [UInt8](unsafeUninitializedCapacity: range.count) { copy, initializedCount in
                UnsafeMutableRawBufferPointer(copy).copyMemory(from: source)
                initializedCount = range.count
            }
        }
    }

    /// The offset of the first occurrence of `needle` (at least 2 bytes) at or after `offset`.
    ///
    /// `memchr` jumps to each candidate first byte and `memcmp` checks the rest; while the
    /// candidates are dense (hostile runs of CR), stepping to the next byte and checking the
    /// second one inline beats calling `memchr` and `memcmp` again. Each candidate costs at
    /// most one comparison of the needle's length, so the search is linear in the input
    /// whatever the input, with a constant that stays small: the delimiter never repeats its
    /// first byte, so a candidate never starts inside bytes a failed comparison matched.
    func firstOffset(of needle: [UInt8], from offset: Int) -> Int? {
        storage.withUnsafeBytes { stored in
            needle.withUnsafeBytes { wanted in
                let first = wanted[0]
                let lastCandidate = stored.count - wanted.count
                var candidate = start + offset
                while candidate <= lastCandidate {
                    if stored[candidate] != first {
                        guard
                            let hit = memchr(
                                stored.baseAddress! + candidate, Int32(first), lastCandidate - candidate + 1)
                        else { return nil }
                        candidate = stored.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    }
                    if stored[candidate + 1] == wanted[1],
                        memcmp(stored.baseAddress! + candidate, wanted.baseAddress!, wanted.count) == 0
                    {
                        return candidate - start
                    }
                    candidate += 1
                }
                return nil
            }
        }
    }

    /// Where a tail of the unconsumed bytes starts that is a proper prefix of `needle` and so
    /// might still become it; `count` when there is no such tail.
    ///
    /// Since `needle[0]` occurs nowhere else in it, only the last occurrence of that byte
    /// within reach can start such a tail.
    func incompleteTailOffset(of needle: [UInt8]) -> Int {
        storage.withUnsafeBytes { stored in
            let lowest = max(start, stored.count - (needle.count - 1))
            var candidate = stored.count - 1
            while candidate >= lowest && stored[candidate] != needle[0] {
                candidate -= 1
            }
            guard candidate >= lowest else { return count }
            let tailCount = stored.count - candidate
            let matches = needle.withUnsafeBytes {
                memcmp(stored.baseAddress! + candidate, $0.baseAddress!, tailCount) == 0
            }
            return matches ? candidate - start : count
        }
    }
}
