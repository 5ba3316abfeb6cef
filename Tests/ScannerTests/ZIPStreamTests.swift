import Foundation
import Testing

@testable import Scanner

/// The ZIP entries inflated while an upload arrives (``ZIPStreamInspector``), and the final stage
/// that relies on them: the verdict must be today's, whatever the inspector made of the bytes.
@Suite("ZIP entries inflated while the bytes arrive")
struct ZIPStreamTests {
    typealias Entry = ZIPBuilder.Entry

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fixtures/uploads")
    /// Uneven pieces, down to one byte, as a network delivers them.
    static let pieceSizes = [1, 3, 29, 1000, 65536]

    /// The inspector's report on `bytes` fed in pieces cycling through `sizes`.
    static func report(_ bytes: [UInt8], pieces sizes: [Int], limits: ScanLimits = .init()) -> ZIPStreamReport {
        var inspector = ZIPStreamInspector(limits: limits)
        var start = 0
        var turn = 0
        while start < bytes.count {
            let end = min(bytes.count, start + sizes[turn % sizes.count])
            inspector.append(bytes[start..<end])
            start = end
            turn += 1
        }
        return inspector.finish()
    }

    /// The final stage on `bytes`, given `streamed`.
    static func scan(_ bytes: [UInt8], streamed: ZIPStreamReport?, limits: ScanLimits = .init()) throws -> Verdict {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-stream-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try DocumentScanner(limits: limits).scan(fileAt: url.path, streamed: streamed)
    }

    /// The central directory's entries, as the final stage reads them.
    static func centralEntries(_ bytes: [UInt8]) throws -> [ZIPCentralEntry] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-stream-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try InputFile(path: url.path)
        var entries: [ZIPCentralEntry] = []
        try ZIPCentralDirectory(file: file.reader).forEach { entries.append($0) }
        return entries
    }

    static func fixtureZIPs() throws -> [(String, [UInt8])] {
        try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted().compactMap { name in
            let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
            return bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) ? (name, bytes) : nil
        }
    }

    /// A workbook whose sheet is `size` bytes of text in deflate's stored blocks, with or without a data descriptor.
    static func workbook(sheetSize size: Int = 300_000, descriptor: Entry.Descriptor? = nil) -> [UInt8] {
        let sheet = Array(String(repeating: "<row><c t=\"s\"><v>開設届</v></c></row>", count: size / 40).utf8)
        var entry = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.stored(sheet), of: sheet)
        entry.descriptor = descriptor
        return ZIPBuilder(entries: OOXML.workbook() + [entry]).bytes
    }

    @Test("fed in any pieces, it records what the central directory states for every entry of a genuine workbook")
    func recordsWhatTheDirectoryStates() async throws {
        var archives = try Self.fixtureZIPs().filter { $0.0.hasPrefix("permit-") || $0.0.hasPrefix("xlsx-with-dir") }
        archives += [
            ("built", Self.workbook()), ("built, signed descriptors", Self.workbook(descriptor: .signed)),
            ("built, unsigned descriptors", Self.workbook(descriptor: .unsigned)),
        ]
        #expect(archives.count >= 5)
        for (name, bytes) in archives {
            let central = try Self.centralEntries(bytes)
            let whole = Self.report(bytes, pieces: [bytes.count])
            #expect(whole.stopReason?.hasPrefix("reached the central directory") == true, "\(name): \(whole.stopReason ?? "-")")
            #expect(whole.entries.count == central.count, "\(name)")
            for entry in central {
                let seen = whole.entries.first { $0.localHeaderOffset == entry.localHeaderOffset }
                #expect(seen?.vouches(for: entry) == true, "\(name): \(entry.nameText): \(String(describing: seen))")
            }
            for size in Self.pieceSizes {
                #expect(Self.report(bytes, pieces: [size, size + 1, 2 * size + 5]) == whole, "\(name), pieces of \(size)")
            }
        }
    }

    @Test("every fixture gets today's verdict, in detail, with what streaming found")
    func fixturesKeepTheirVerdicts() async throws {
        let zips = try Self.fixtureZIPs()
        #expect(zips.count >= 15)
        for (name, bytes) in zips {
            let today = try Self.scan(bytes, streamed: nil)
            for size in [1, 4096] {
                let streamed = Self.report(bytes, pieces: [size, 3 * size + 1])
                #expect(try Self.scan(bytes, streamed: streamed) == today, "\(name), pieces of \(size)")
            }
        }
    }

    @Test("every held-out ZIP gets today's verdict, in detail, with what streaming found")
    func heldOutKeepTheirVerdicts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zip-stream-heldout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", HeldOutTests.script.path, directory.path]
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "heldout.py failed")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        var checked = 0
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { continue }
            let today = try Self.scan(bytes, streamed: nil)
            #expect(try Self.scan(bytes, streamed: Self.report(bytes, pieces: [1, 4096])) == today, "\(name)")
            checked += 1
        }
        #expect(checked >= 5, "only \(checked) held-out ZIPs")
    }

    @Test("lying, damaged, described, stored and prefixed archives get today's verdict")
    func hostileArchives() async throws {
        var lying = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 8 << 20), of: [UInt8](repeating: 0, count: 1000))
        lying.uncompressedSize = 1000
        var badCRC = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 5000), of: [UInt8](repeating: 0, count: 5000))
        badCRC.crc ^= 0x0100
        var storedDescribed = Entry("xl/media/a.bin", [UInt8](repeating: 7, count: 5000))
        storedDescribed.descriptor = .signed
        var deflatedDescribed = Entry("xl/media/z.bin", deflated: Deflate.zeros(count: 50_000), of: [UInt8](repeating: 0, count: 50_000))
        deflatedDescribed.descriptor = .unsigned
        var describedBadCRC = deflatedDescribed
        describedBadCRC.crc ^= 1
        let genuine = ZIPBuilder(entries: OOXML.workbook()).bytes
        var prefixed = ZIPBuilder(entries: OOXML.workbook())
        let stub = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0xEE, count: 60)
        prefixed.baseOffset = stub.count
        let cases: [(String, [UInt8], RejectionReason?)] = [
            ("lying sizes", ZIPBuilder(entries: OOXML.workbook() + [lying]).bytes, .zipUnsafe),
            ("bad CRC", ZIPBuilder(entries: OOXML.workbook() + [badCRC]).bytes, .corrupt),
            ("stored, with a descriptor", ZIPBuilder(entries: OOXML.workbook() + [storedDescribed]).bytes, nil),
            ("deflated, with a descriptor", ZIPBuilder(entries: OOXML.workbook() + [deflatedDescribed]).bytes, nil),
            ("descriptor, bad CRC", ZIPBuilder(entries: OOXML.workbook() + [describedBadCRC]).bytes, .corrupt),
            ("garbage before the archive", stub + prefixed.bytes, Self.scanReason(stub + prefixed.bytes)),
            ("a PDF line before the archive", Array("%PDF-1.4\n".utf8) + genuine, .polyglot),
        ]
        for (name, bytes, reason) in cases {
            let today = try Self.scan(bytes, streamed: nil)
            #expect(today.reason == reason, "\(name): \(today.detail)")
            for size in [1, 777, 65536] {
                let streamed = Self.report(bytes, pieces: [size])
                #expect(try Self.scan(bytes, streamed: streamed) == today, "\(name), pieces of \(size)")
            }
        }
    }

    static func scanReason(_ bytes: [UInt8]) -> RejectionReason? {
        (try? Self.scan(bytes, streamed: nil))?.reason
    }

    @Test("what each kind of entry leaves on record")
    func records() async throws {
        var lying = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 8 << 20), of: [UInt8](repeating: 0, count: 1000))
        lying.uncompressedSize = 1000
        let lyingReport = Self.report(ZIPBuilder(entries: OOXML.workbook() + [lying]).bytes, pieces: [4096])
        let bomb = try #require(lyingReport.entries.last)
        #expect(bomb.rejection?.reason == .zipUnsafe)
        #expect(bomb.uncompressedSize <= 1000, "inflating stopped at the stated size")
        // The walk went on past the refused entry, to the central directory.
        #expect(lyingReport.stopReason?.hasPrefix("reached the central directory") == true, "\(lyingReport.stopReason ?? "-")")

        // Over the ratio the final stage allows, inflating stops long before the entry's 8 MiB.
        var dense = Entry("xl/media/z.bin", deflated: Deflate.zeros(count: 8 << 20), of: [UInt8](repeating: 0, count: 8 << 20))
        dense.descriptor = .signed
        let denseBytes = ZIPBuilder(entries: OOXML.workbook() + [dense]).bytes
        let ratio = ScanLimits(maxZipEntryRatio: 50)
        let denseRecord = try #require(Self.report(denseBytes, pieces: [4096], limits: ratio).entries.last)
        #expect(denseRecord.rejection?.reason == .zipUnsafe && denseRecord.uncompressedSize < 1 << 20, "\(denseRecord)")
        #expect(try Self.scan(denseBytes, streamed: nil, limits: ratio).reason == .zipUnsafe)

        var stored = Entry("xl/media/a.bin", [UInt8](repeating: 7, count: 5000))
        stored.descriptor = .signed
        let storedReport = Self.report(ZIPBuilder(entries: OOXML.workbook() + [stored]).bytes, pieces: [4096])
        #expect(storedReport.entries.count == OOXML.workbook().count, "a stored entry with a descriptor is not recorded")
        #expect(storedReport.stopReason?.contains("data descriptor") == true)
    }

    @Test("a bomb costs the inspector no more than the limit")
    func bombStopsAtTheLimit() async throws {
        var described = Entry("xl/media/z.bin", deflated: Deflate.zeros(count: 8 << 20), of: [UInt8](repeating: 0, count: 8 << 20))
        described.descriptor = .signed
        let limits = ScanLimits(maxZipUncompressedTotal: 1 << 20)
        let report = Self.report(ZIPBuilder(entries: OOXML.workbook() + [described]).bytes, pieces: [65536], limits: limits)
        let last = try #require(report.entries.last)
        #expect(last.rejection?.reason == .zipUnsafe)
        let inflated = report.entries.reduce(0) { $0 + $1.uncompressedSize }
        #expect(inflated <= UInt64(1 << 20), "\(inflated) bytes inflated")
        #expect(report.stopReason?.contains("real total") == true)
    }

    /// The honest proof that the final stage does not read a vouched entry again: damage the entry on
    /// disk after the inspector saw the genuine bytes. With the record the final stage cannot notice;
    /// without it, it refuses. (In the service the bytes on disk are the bytes streamed.)
    @Test("the final stage does not inflate again what the record vouches for")
    func skipsVouchedEntries() async throws {
        for descriptor in [nil, Entry.Descriptor.signed] {
            let genuine = Self.workbook(descriptor: descriptor)
            let streamed = Self.report(genuine, pieces: [65536])
            var damaged = genuine
            damaged[genuine.count / 2] ^= 0x20
            #expect(try Self.scan(damaged, streamed: nil).reason == .corrupt)
            #expect(try Self.scan(damaged, streamed: streamed).accepted == .xlsx)
            #expect(try Self.scan(genuine, streamed: streamed).accepted == .xlsx)
            // A record of other bytes vouches for nothing here.
            let other = Self.report(Self.workbook(sheetSize: 200_000, descriptor: descriptor), pieces: [65536])
            #expect(try Self.scan(damaged, streamed: other).reason == .corrupt)
        }
    }

    @Test("on its own queue, it records what the inspector records")
    func background() async throws {
        let bytes = Self.workbook(sheetSize: 1 << 20, descriptor: .signed)
        let check = ZIPStreamCheck(scanner: DocumentScanner(), limit: 2)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 16_000)
            await check.append(bytes[start..<end])
            start = end
        }
        let report = await check.finish()
        #expect(report == Self.report(bytes, pieces: [bytes.count]))
        #expect(report.entries.count == 4 && report.entries.allSatisfy { $0.rejection == nil })
    }
}
