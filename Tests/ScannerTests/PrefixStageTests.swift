import Scanner
import Testing

@Suite("Prefix stage")
struct PrefixStageTests {
    let scanner = DocumentScanner()

    @Test(
        "known disallowed types are rejected from their first bytes",
        arguments: [
            ("ELF", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]),
            ("JPEG", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46]),
            ("GIF", Array("GIF89a".utf8)),
            ("HTML", Array("<!DOCTYPE html><html>".utf8)),
            ("HTML lowercase", Array("<html><body>".utf8)),
            ("Windows executable", Array("MZ\u{90}\0".utf8)),
            ("plain text", Array("Dear reviewer".utf8)),
            ("gzip", [0x1F, 0x8B, 0x08, 0x00]),
            ("PDF with leading space", Array(" %PDF-1.7".utf8)),
        ] as [(String, [UInt8])])
    func rejectsDisallowed(name: String, prefix: [UInt8]) {
        guard case .rejected(let rejection) = scanner.sniff(prefix: prefix) else {
            Issue.record("\(name) was not rejected")
            return
        }
        #expect(rejection.reason == .typeNotAllowed, "\(name)")
    }

    @Test(
        "allowed signatures become candidates",
        arguments: [
            ("%PDF-1.7\n", Candidate.pdf),
            ("png", .png),
            ("ole2", .ole2),
            ("zip", .zip),
        ] as [(String, Candidate)])
    func candidates(label: String, expected: Candidate) {
        let prefix: [UInt8] =
            switch label {
            case "png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            case "ole2": [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
            case "zip": [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]
            default: Array(label.utf8)
            }
        #expect(scanner.sniff(prefix: prefix) == .candidate(expected))
    }

    @Test(
        "a short start of an allowed signature asks for more bytes",
        arguments: [
            [], [0x25], Array("%PDF".utf8), Array("%PDF-".utf8), [0x89, 0x50, 0x4E, 0x47],
            [0xD0, 0xCF, 0x11, 0xE0, 0xA1], [0x50], [0x50, 0x4B, 0x03],
        ] as [[UInt8]])
    func needsMoreBytes(prefix: [UInt8]) {
        #expect(scanner.sniff(prefix: prefix) == .needMoreBytes)
    }

    @Test(
        "a photo (JPEG, HEIC) is not allowed, with a message that says to send PDF or PNG",
        arguments: [
            ("JPEG", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0, 1]),
            ("HEIC", [0, 0, 0, 0x18] + Array("ftypheic".utf8)),
            ("HEIF mif1", [0, 0, 0, 0x1C] + Array("ftypmif1".utf8)),
            ("HEIC sequence", [0, 0, 0, 0x20] + Array("ftyphevc".utf8)),
            ("AVIF", [0, 0, 0, 0x20] + Array("ftypavif".utf8)),
        ] as [(String, [UInt8])])
    func photos(name: String, prefix: [UInt8]) {
        guard case .rejected(let rejection) = scanner.sniff(prefix: prefix) else {
            Issue.record("\(name) was not rejected")
            return
        }
        #expect(rejection.reason == .typeNotAllowed, "\(name)")
        #expect(rejection.messageJa.contains("PNG") && rejection.messageJa.contains("PDF") && rejection.messageJa.contains("写真"), "\(name)")
        #expect(rejection.messageEn.contains("photo"), "\(name)")
        // Other types keep the general message.
        guard case .rejected(let gif) = scanner.sniff(prefix: Array("GIF89a".utf8)) else { return }
        #expect(!gif.messageJa.contains("写真"))
    }

    @Test("an MP4, also an ftyp box, gets the general message; a short photo start waits for more bytes")
    func notPhotos() {
        guard case .rejected(let mp4) = scanner.sniff(prefix: [0, 0, 0, 0x18] + Array("ftypisom".utf8)) else {
            Issue.record("MP4 was not rejected")
            return
        }
        #expect(mp4.reason == .typeNotAllowed && !mp4.messageJa.contains("写真"))
        #expect(scanner.sniff(prefix: [0, 0, 0, 0x18] + Array("ftyp".utf8)) == .needMoreBytes)
        #expect(scanner.sniff(prefix: [0xFF, 0xD8]) == .needMoreBytes)
    }

    @Test("a mangled signature is corrupt, not another type")
    func mangledSignature() {
        // What a text-mode transfer does to a PNG: CR LF becomes CR CR LF.
        let mangled: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0D, 0x0A, 0x1A]
        guard case .rejected(let rejection) = scanner.sniff(prefix: mangled) else {
            Issue.record("not rejected")
            return
        }
        #expect(rejection.reason == .corrupt)
        guard case .rejected(let pdf) = scanner.sniff(prefix: Array("%PDF-x".utf8)) else {
            Issue.record("not rejected")
            return
        }
        #expect(pdf.reason == .corrupt)
    }

    @Test("every input decides by prefixLength bytes")
    func decidesWithinPrefixLength() {
        #expect(DocumentScanner.prefixLength == 12)
        let random = pseudoRandomBytes(count: 12 * 2000)
        for start in stride(from: 0, to: random.count, by: 12) {
            let prefix = random[start..<start + 12]
            #expect(scanner.sniff(prefix: prefix) != .needMoreBytes)
        }
    }

    @Test("takes any byte collection and looks only at the first bytes")
    func collections() {
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 4096)
        let fromBuffer = elf.withUnsafeBytes { scanner.sniff(prefix: $0) }
        #expect(fromBuffer == scanner.sniff(prefix: elf))
        let pdf = Array("%PDF-1.4".utf8) + [UInt8](repeating: 0x41, count: 10000)
        #expect(scanner.sniff(prefix: pdf[...]) == .candidate(.pdf))
    }
}
