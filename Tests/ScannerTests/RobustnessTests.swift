import Scanner
import Testing

@Suite("Robustness")
struct RobustnessTests {
    static let samples: [(String, [UInt8])] = [
        ("xls", CFBTests.xls(workbook: CFBBuilder.workbookStream(size: 9000, filler: 100)).bytes),
        ("xls mini", CFBTests.xls(workbook: CFBBuilder.workbookStream(size: 2000, filler: 20)).bytes),
        ("xlsx", ZIPBuilder(entries: OOXML.workbook()).bytes),
        (
            "xlsx zip64",
            {
                var zip = ZIPBuilder(entries: OOXML.workbook())
                zip.zip64 = true
                return zip.bytes
            }()
        ),
        ("png", PNGBuilder.valid(width: 30, height: 30, chunkSize: 700).bytes),
    ]

    /// The one type a file with this signature may be accepted as.
    static func promised(by candidate: Candidate) -> DocumentType {
        switch candidate {
        case .pdf: .pdf
        case .png: .png
        case .ole2: .xls
        case .zip: .xlsx
        }
    }

    /// Damage that hostile or broken uploads carry: random bytes, and 32-bit fields set to extremes.
    /// Each must end in a verdict (no crash, no hang) that agrees with the prefix stage.
    @Test("damaged files always get a verdict that agrees with the prefix stage", arguments: samples.indices)
    func damage(sample: Int) async throws {
        let (name, original) = Self.samples[sample]
        let extremes: [UInt32] = [0xFFFF_FFFF, 0xFFFF_FFFE, 0x7FFF_FFFF, 0, 1]
        var noise = pseudoRandomBytes(count: 8 * 120, seed: UInt64(sample + 1)).makeIterator()
        func next() -> Int { (0..<3).reduce(Int(noise.next()!)) { value, _ in value << 8 | Int(noise.next() ?? 0) } }
        for round in 0..<120 {
            var bytes = original
            let at = next() % (bytes.count - 4)
            if round % 2 == 0 {
                bytes[at] ^= UInt8(truncatingIfNeeded: next() | 1)
            } else {
                bytes.setLE32(extremes[round / 2 % extremes.count], at: at)
            }
            let verdict = try scan(bytes)
            switch DocumentScanner().sniff(prefix: bytes.prefix(DocumentScanner.prefixLength)) {
            case .rejected(let rejection):
                #expect(verdict.reason == rejection.reason, "\(name) round \(round): \(verdict.detail)")
            case .candidate(let candidate):
                // The damage may leave a file that still passes; then only as what its signature promised.
                if case .success(let type) = verdict.result {
                    #expect(type == Self.promised(by: candidate), "\(name) round \(round): \(candidate) accepted as \(type)")
                }
            case .needMoreBytes:
                Issue.record("\(name) round \(round): the prefix stage did not decide on \(DocumentScanner.prefixLength) bytes")
            }
        }
    }
}
