import Foundation
import Scanner
import Testing

@Suite("Final stage")
struct FinalStageTests {
    @Test("an empty file is empty")
    func empty() async throws {
        #expect(try scan([]).reason == .empty)
    }

    @Test(
        "the name never matters: content decides",
        arguments: [
            ("report.pdf", PNGBuilder.valid().bytes, DocumentType.png),
            ("photo.png", Array("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8), .pdf),
            ("sheet.xlsx", CFBBuilder(nodes: [.stream("Workbook", CFBBuilder.workbookStream())]).build().bytes, .xls),
            ("old.xls", ZIPBuilder(entries: OOXML.workbook()).bytes, .xlsx),
            ("noextension", PNGBuilder.valid().bytes, .png),
        ] as [(String, [UInt8], DocumentType)])
    func contentDecides(name: String, bytes: [UInt8], expected: DocumentType) throws {
        let verdict = try scan(bytes, named: name)
        #expect(verdict.accepted == expected, "\(name): \(verdict.detail)")
    }

    @Test("a disallowed type is refused whatever its name", arguments: ["scan.pdf", "scan.png", "scan.xlsx"])
    func jpegRenamed(name: String) async throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [UInt8](repeating: 0, count: 200)
        #expect(try scan(jpeg, named: name).reason == .typeNotAllowed)
    }

    @Test("a file shorter than its signature is truncated")
    func shorterThanSignature() async throws {
        #expect(try scan(Array("%PD".utf8)).reason == .truncated)
        #expect(try scan([0x89, 0x50, 0x4E]).reason == .truncated)
    }

    @Test("libmagic's opinion is recorded but does not decide")
    func magicIsRecorded() async throws {
        let pdf = try scan(Array("%PDF-1.4\n%%EOF\n".utf8))
        #expect(pdf.magicMime == "application/pdf")
        #expect(pdf.accepted == .pdf)
        // libmagic calls this a PDF too; the missing %%EOF makes it truncated.
        let cut = try scan(Array("%PDF-1.4\n1 0 obj\n".utf8))
        #expect(cut.magicMime == "application/pdf")
        #expect(cut.reason == .truncated)
    }

    @Test("a file that cannot be opened throws instead of giving a verdict")
    func unreadable() {
        #expect(throws: FileReadError.self) {
            try DocumentScanner().scan(fileAt: "/nonexistent/\(UUID().uuidString)")
        }
        #expect(throws: FileReadError.self) {
            try DocumentScanner().scan(fileAt: FileManager.default.temporaryDirectory.path)
        }
    }

    @Test("scanners can run concurrently")
    func concurrent() async throws {
        let png = PNGBuilder.valid(width: 130, height: 128).bytes
        let results = try await withThrowingTaskGroup(of: DocumentType?.self) { group in
            for _ in 0..<16 { group.addTask { try scan(png).accepted } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == [DocumentType?](repeating: .png, count: 16))
    }
}

@Suite("Verdict vocabulary")
struct VocabularyTests {
    @Test("reason codes are the stable API strings")
    func reasonCodes() {
        #expect(
            RejectionReason.allCases.map(\.rawValue) == [
                "empty", "type_not_allowed", "macro_enabled", "encrypted", "truncated", "corrupt", "zip_unsafe",
                "polyglot", "image_too_large", "infected",
            ])
    }

    @Test("every reason has a Japanese and an English message", arguments: RejectionReason.allCases)
    func messages(reason: RejectionReason) {
        let rejection = Rejection(reason)
        #expect(rejection.messageJa.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) })
        #expect(rejection.messageEn.count > 20)
        #expect(!rejection.messageEn.unicodeScalars.contains { $0.value > 0x7F })
    }

    @Test("the macro message tells the applicant to save as .xlsx")
    func macroMessage() {
        let rejection = Rejection(.macroEnabled)
        #expect(rejection.messageJa.contains("マクロを含まない形式（.xlsx）で保存し直して"))
        #expect(rejection.messageEn.contains("Save the workbook again without macros (.xlsx)"))
    }

    @Test("types have their canonical MIME types and extensions")
    func types() {
        #expect(
            DocumentType.allCases.map(\.mimeType) == [
                "application/pdf", "image/png", "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ])
        #expect(DocumentType.allCases.map(\.fileExtension) == ["pdf", "png", "xls", "xlsx"])
    }
}
