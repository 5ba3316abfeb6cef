/// The ZIP check's costly half, done while an upload arrives: a push parser fed the file's bytes in
/// order, from its first, in pieces of any size. It walks the local headers in file order, inflates
/// each entry in constant memory (one window), and records what each really holds (``ZIPStreamedEntry``).
///
/// It decides nothing: the final stage still reads the central directory and checks every entry the
/// record does not vouch for exactly as before. Whatever it cannot make sense of (a stored entry with
/// a data descriptor, a header that is not one, ZIP64 without its sizes) just ends the recording.
/// Inflating stops once the real total passes ``ScanLimits/maxZipUncompressedTotal``, so a bomb costs
/// no more than the limit; an entry also stops once it has expanded past the ratio the final stage allows
/// (``ScanLimits/maxZipEntryRatio``), so a small bomb costs little more than its own bytes times that ratio.
public struct ZIPStreamInspector {
    /// A genuine workbook has dozens of entries; memory must not grow with a hostile archive's count
    /// or names (each up to 64 KiB): past either bound, recording stops.
    static let maxRecordedEntries = 1 << 14
    static let maxRecordedNameBytes = 1 << 20
    static let descriptorSignature: UInt32 = 0x0807_4B50
    /// The most a data descriptor and the signature after it take: signature, CRC, two 8-byte sizes, next signature.
    static let descriptorWindow = 28

    /// What was recorded so far.
    public private(set) var report = ZIPStreamReport()
    /// Whether nothing more will be recorded: further bytes are ignored.
    public var hasStopped: Bool { phase == .stopped }

    private enum Phase: Equatable { case header, data, skip, descriptor, stopped }

    /// The entry whose data is arriving.
    fileprivate struct Entry {
        let localHeaderOffset: UInt64
        let dataStart: UInt64
        let name: [UInt8]
        let method: UInt16
        /// nil when a data descriptor follows: only deflate knows where the data ends.
        let compressedSize: UInt64?
        /// The local header's size, when inflating stops there rather than at the total's limit.
        let statedSize: UInt64?
        let inflater: InflateStream?
        var consumed: UInt64 = 0
        var produced: UInt64 = 0
        var crc = CRC32()
    }

    private let maxTotal: Int
    private let maxRatio: UInt64
    private let ratioExemptBelow: UInt64
    private var phase = Phase.header
    /// Header or descriptor bytes gathered so far; `bufferOffset` is where the first of them lies in the file.
    private var buffer: [UInt8] = []
    private var bufferOffset: UInt64 = 0
    /// Where the next byte fed lies in the file.
    private var offset: UInt64 = 0
    private var entry: Entry?
    private var skipLeft: UInt64 = 0
    /// Bytes decoded from every entry so far.
    private var total = 0
    /// The bytes of every name recorded so far.
    private var nameBytes = 0

    /// A parser that will stop inflating past `limits.maxZipUncompressedTotal` decoded bytes.
    public init(limits: ScanLimits = .init()) {
        maxTotal = limits.maxZipUncompressedTotal
        maxRatio = UInt64(clamping: limits.maxZipEntryRatio)
        ratioExemptBelow = UInt64(clamping: limits.zipRatioExemptBelow)
    }

    /// The next bytes of the file.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard phase != .stopped, !bytes.isEmpty else { return }
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            consume(UnsafeRawBufferPointer(buffer))
        }
        if done == nil { Array(bytes).withUnsafeBytes { consume($0) } }
    }

    /// After the file's last byte: the report. An entry cut short by the end is not recorded.
    public mutating func finish() -> ZIPStreamReport {
        if phase != .stopped { stop("the file ended inside the local entries, at \(offset)") }
        return report
    }

    private mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        // Every step uses bytes or moves to another phase, and `.stopped` ends the loop.
        while !rest.isEmpty, phase != .stopped {
            let used: Int
            switch phase {
            case .header: used = gatherHeader(rest)
            case .data: used = decode(rest)
            case .skip:
                used = Int(min(skipLeft, UInt64(rest.count)))
                skipLeft -= UInt64(used)
                if skipLeft == 0 { expectHeader(at: offset + UInt64(used)) }
            case .descriptor: used = gatherDescriptor(rest)
            case .stopped: used = 0
            }
            rest = rest.dropFirst(used)
            offset += UInt64(used)
        }
    }

    private mutating func stop(_ reason: String) {
        phase = .stopped
        report.stopReason = reason
        entry = nil
        buffer = []
    }

    private mutating func expectHeader(at position: UInt64, carrying bytes: ArraySlice<UInt8> = []) {
        phase = .header
        buffer = Array(bytes)
        bufferOffset = position
    }

    // MARK: Local headers

    /// Gathers a local header (30 bytes, then its name and extra field) and starts its entry.
    private mutating func gatherHeader(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int {
        let fixed = ZIPCentralEntry.localFixedSize
        var wanted = fixed
        if buffer.count >= fixed { wanted += Int(buffer.uint16LE(at: 26)) + Int(buffer.uint16LE(at: 28)) }
        let used = min(wanted - buffer.count, bytes.count)
        buffer.append(contentsOf: bytes.prefix(used))
        if buffer.count >= 4, buffer.uint32LE(at: 0) != ZIPCentralEntry.localSignature {
            stop(
                buffer.uint32LE(at: 0) == ZIPCentralEntry.signature
                    ? "reached the central directory at \(bufferOffset)" : "no local header at \(bufferOffset)")
            return used
        }
        if buffer.count >= fixed, buffer.count == fixed + Int(buffer.uint16LE(at: 26)) + Int(buffer.uint16LE(at: 28)) {
            begin(header: buffer)
        }
        return used
    }

    private mutating func begin(header: [UInt8]) {
        let nameLength = Int(header.uint16LE(at: 26))
        nameBytes += nameLength
        guard report.entries.count < Self.maxRecordedEntries, nameBytes <= Self.maxRecordedNameBytes else {
            return stop("more than \(Self.maxRecordedEntries) entries or \(Self.maxRecordedNameBytes) bytes of names")
        }
        let flags = header.uint16LE(at: 6)
        let method = header.uint16LE(at: 8)
        let name = Array(header[30..<30 + nameLength])
        let start = bufferOffset
        let dataStart = start + UInt64(header.count)
        let hasDescriptor = flags & 0x8 != 0
        let supported = flags & 1 == 0 && (method == ZIPCentralEntry.methodStored || method == ZIPCentralEntry.methodDeflate)

        guard !hasDescriptor else {
            // Without the directory, only deflate can say where such an entry ends.
            guard supported, method == ZIPCentralEntry.methodDeflate else {
                return stop("entry at \(start) has a data descriptor and is not deflated")
            }
            return startData(
                Entry(
                    localHeaderOffset: start, dataStart: dataStart, name: name, method: method, compressedSize: nil,
                    statedSize: nil, inflater: inflater(limit: nil)))
        }
        guard let (compressed, uncompressed) = Self.sizes(header, nameLength: nameLength) else {
            return stop("entry at \(start) defers its sizes to a ZIP64 field it lacks")
        }
        guard supported else {
            // Encrypted or another method: the final stage judges it; the next header follows its data.
            skipLeft = compressed
            phase = .skip
            buffer = []
            if compressed == 0 { expectHeader(at: dataStart) }
            return
        }
        let isDeflated = method == ZIPCentralEntry.methodDeflate
        startData(
            Entry(
                localHeaderOffset: start, dataStart: dataStart, name: name, method: method, compressedSize: compressed,
                statedSize: isDeflated ? uncompressed : nil, inflater: isDeflated ? inflater(limit: uncompressed) : nil))
    }

    /// The compressed and uncompressed sizes, widened from the ZIP64 extra field when the header saturates them.
    private static func sizes(_ header: [UInt8], nameLength: Int) -> (UInt64, UInt64)? {
        var uncompressed = UInt64(header.uint32LE(at: 22))
        var compressed = UInt64(header.uint32LE(at: 18))
        guard uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF else { return (compressed, uncompressed) }
        var extra = header[(30 + nameLength)...]
        while extra.count >= 4 {
            let size = Int(extra.uint16LE(at: 2))
            guard extra.count >= 4 + size else { return nil }
            if extra.uint16LE(at: 0) == ZIPCentralEntry.zip64ExtraID {
                let field = extra.dropFirst(4).prefix(size)
                var cursor = 0
                for value in [0, 1] {
                    guard (value == 0 ? uncompressed : compressed) == 0xFFFF_FFFF else { continue }
                    guard field.count >= cursor + 8 else { return nil }
                    if value == 0 { uncompressed = field.uint64LE(at: cursor) } else { compressed = field.uint64LE(at: cursor) }
                    cursor += 8
                }
                return (compressed, uncompressed)
            }
            extra = extra.dropFirst(4 + size)
        }
        return nil
    }

    /// An inflater that stops at the stated size, or at what is left of the total, whichever is less.
    private func inflater(limit stated: UInt64?) -> InflateStream? {
        try? InflateStream(.raw, outputLimit: max(0, min(Int(clamping: stated ?? .max), maxTotal - total)))
    }

    private mutating func startData(_ entry: Entry) {
        guard entry.method == ZIPCentralEntry.methodStored || entry.inflater != nil else {
            return stop("zlib could not start")
        }
        self.entry = entry
        buffer = []
        phase = .data
        if entry.compressedSize == 0 { endData(entry) }
    }

    // MARK: Entry data

    private mutating func decode(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int {
        guard var entry else {
            stop("entry data without its entry")
            return 0
        }
        let rest = entry.compressedSize.map { Int(min($0 - entry.consumed, UInt64(bytes.count))) } ?? bytes.count
        let piece = UnsafeRawBufferPointer(rebasing: bytes.prefix(rest))
        var used = piece.count
        let producedBefore = entry.produced
        defer { total += Int(entry.produced - producedBefore) }
        // An entry expanding past the ratio is refused before inflating, unless its sizes lie: then it is
        // refused at the size it states. Either way no record of it is needed, and inflating it costs.
        let (bound, overflow) = (entry.consumed + UInt64(piece.count)).multipliedReportingOverflow(by: maxRatio)
        let allowed = overflow ? .max : max(ratioExemptBelow, bound)
        func output(_ decoded: UnsafeRawBufferPointer) throws {
            entry.take(decoded)
            if entry.produced > allowed { throw RatioExceeded() }
        }
        do {
            if let inflater = entry.inflater {
                if entry.compressedSize == nil {
                    used = try inflater.feedToEnd(piece, output: output)
                } else {
                    try inflater.feed(piece, output: output)
                }
            } else {
                entry.take(piece)
                if total + Int(entry.produced - producedBefore) > maxTotal { throw InflateError.outputLimitExceeded }
            }
            entry.consumed += UInt64(used)
        } catch {
            entry.consumed += UInt64(used)
            let rejection: Rejection
            if error is RatioExceeded {
                rejection = Rejection(.zipUnsafe, detail: "ZIP entry at \(entry.localHeaderOffset): expands past ratio \(maxRatio)")
            } else if case InflateError.outputLimitExceeded = error {
                if let stated = entry.statedSize, let produced = entry.inflater?.produced, produced > Int(clamping: stated) {
                    rejection = Rejection(
                        .zipUnsafe,
                        detail: "ZIP entry at \(entry.localHeaderOffset): inflates past the \(stated) bytes its header states")
                } else {
                    record(entry, rejection: Rejection(.zipUnsafe, detail: "ZIP: entries inflate to more than \(maxTotal) bytes in all"))
                    stop("the real total passed \(maxTotal) bytes")
                    return used
                }
            } else {
                rejection = Rejection(.corrupt, detail: "ZIP entry at \(entry.localHeaderOffset): deflate data: \(error)")
            }
            record(entry, rejection: rejection)
            guard let compressed = entry.compressedSize else {
                stop("the entry at \(entry.localHeaderOffset) has a data descriptor: where it ends is unknown")
                return used
            }
            skipLeft = compressed - entry.consumed
            phase = .skip
            if skipLeft == 0 { expectHeader(at: entry.dataStart + compressed) }
            return used
        }
        if entry.compressedSize.map({ entry.consumed == $0 }) ?? entry.inflater?.isFinished ?? false {
            endData(entry)
        } else {
            self.entry = entry
        }
        return used
    }

    /// All of an entry's data is in: record it and expect what follows.
    private mutating func endData(_ entry: Entry) {
        guard let compressed = entry.compressedSize else {
            // Deflate ended; a data descriptor follows.
            record(entry, rejection: nil)
            phase = .descriptor
            buffer = []
            bufferOffset = entry.dataStart + entry.consumed
            return
        }
        var rejection: Rejection?
        if let inflater = entry.inflater {
            do {
                try inflater.finish { _ in }
            } catch {
                rejection = Rejection(.corrupt, detail: "ZIP entry at \(entry.localHeaderOffset): deflate data: \(error)")
            }
        }
        record(entry, rejection: rejection)
        expectHeader(at: entry.dataStart + compressed)
    }

    private mutating func record(_ entry: Entry, rejection: Rejection?) {
        self.entry = nil
        report.entries.append(
            ZIPStreamedEntry(
                localHeaderOffset: entry.localHeaderOffset, name: entry.name, method: entry.method, compressedSize: entry.consumed,
                uncompressedSize: entry.produced, crc32: entry.crc.value, rejection: rejection
            ))
    }

    // MARK: Data descriptors

    /// Gathers enough bytes after a deflated entry to tell which of the four descriptor layouts follows.
    private mutating func gatherDescriptor(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int {
        let used = min(Self.descriptorWindow - buffer.count, bytes.count)
        buffer.append(contentsOf: bytes.prefix(used))
        if buffer.count == Self.descriptorWindow { endDescriptor() }
        return used
    }

    /// The descriptor is the layout (with or without its signature, 4- or 8-byte sizes) that repeats
    /// what the entry really held and is followed by a header. Which one it is decides only where the
    /// walk goes on: a wrong guess would record true facts about other offsets, or stop.
    private mutating func endDescriptor() {
        guard let seen = report.entries.last else { return stop("a data descriptor without its entry") }
        let headers = [ZIPCentralEntry.localSignature, ZIPCentralEntry.signature]
        for (signed, wide) in [(true, false), (true, true), (false, false), (false, true)] {
            let at = signed ? 4 : 0
            guard !signed || buffer.uint32LE(at: 0) == Self.descriptorSignature, buffer.uint32LE(at: at) == seen.crc32 else { continue }
            let compressed = wide ? buffer.uint64LE(at: at + 4) : UInt64(buffer.uint32LE(at: at + 4))
            let uncompressed = wide ? buffer.uint64LE(at: at + 12) : UInt64(buffer.uint32LE(at: at + 8))
            let length = at + (wide ? 20 : 12)
            guard compressed == seen.compressedSize, uncompressed == seen.uncompressedSize, headers.contains(buffer.uint32LE(at: length)) else {
                continue
            }
            return expectHeader(at: bufferOffset + UInt64(length), carrying: buffer[length...])
        }
        stop("the data descriptor at \(bufferOffset) matches no layout")
    }
}

/// Inflating an entry stopped at the ratio bound.
private struct RatioExceeded: Error {}

extension ZIPStreamInspector.Entry {
    fileprivate mutating func take(_ decoded: UnsafeRawBufferPointer) {
        crc.update(decoded)
        produced += UInt64(decoded.count)
    }
}
