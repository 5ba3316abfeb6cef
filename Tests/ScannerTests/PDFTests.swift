import Scanner
import Testing

@Suite("PDF")
struct PDFTests {
    static func pdf(body: Int = 2000, trailer: String = "%%EOF\n") -> [UInt8] {
        Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0x20, count: body) + Array("\ntrailer\n<<>>\nstartxref\n0\n".utf8) + Array(trailer.utf8)
    }

    @Test(
        "a PDF with %%EOF at its end is accepted, with trailing white space or NULs",
        arguments: [
            "%%EOF", "%%EOF\n", "%%EOF\r\n", "%%EOF\n\n\n   \n", "%%EOF\n\0\0\0\0",
        ])
    func accepted(trailer: String) async throws {
        let verdict = try scan(Self.pdf(trailer: trailer))
        #expect(verdict.accepted == .pdf, "\(verdict.detail)")
    }

    @Test("a PDF without %%EOF, or cut before it, is truncated")
    func truncated() async throws {
        #expect(try scan(Self.pdf(trailer: "")).reason == .truncated)
        let whole = Self.pdf(body: 100_000)
        #expect(try scan(Array(whole.prefix(50_000))).reason == .truncated)
    }

    @Test("after the last %%EOF, at most 1 KiB of white space; anything else is another format's data")
    func afterEOF() async throws {
        let late = Self.pdf(trailer: "%%EOF\n" + String(repeating: "x", count: 1100))
        #expect(try scan(late).reason == .polyglot)
        let stray = Self.pdf(trailer: "%%EOF\nx")
        #expect(try scan(stray).reason == .polyglot)
        let near = Self.pdf(trailer: "%%EOF\n" + String(repeating: " ", count: 1000))
        #expect(try scan(near).accepted == .pdf)
        // Beyond what the tail holds, no %%EOF is seen at all.
        let far = Self.pdf(trailer: "%%EOF\n" + String(repeating: "x", count: 70_000))
        #expect(try scan(far).reason == .truncated)
    }
}
