import Foundation
import Multipart
import Testing

/// Random and hostile bodies, parsed by us and by Werkzeug (Differential/werkzeug_parse.py):
/// both must accept the same bodies and find the same parts with the same content.
@Suite("Differential against Werkzeug")
struct DifferentialTests {
    /// What one parser made of one body, in the JSON shape the Python script prints.
    struct Outcome: Decodable, Equatable {
        struct Part: Decodable, Equatable {
            var name: String
            var filename: String?
            var contentType: String?
            var size: Int
            var sha256: String

            enum CodingKeys: String, CodingKey {
                case name, filename, size, sha256
                case contentType = "content_type"
            }
        }

        var ok: Bool
        var parts: [Part]?
    }

    struct ReferenceUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    struct Case {
        var boundary: String
        var body: [UInt8]
        var shouldParse: Bool
        var kind: String
    }

    static let seed: UInt64 = 0x6D75_6C74_6970_6172

    @Test func agreesWithWerkzeug() async throws {
        var generator = SeededGenerator(seed: Self.seed)
        let cases = (0..<240).map { index in Self.makeCase(index, &generator) }
        let reference = try Self.runWerkzeug(on: cases)
        try #require(
            reference.count == cases.count, "the script answered for \(reference.count) of \(cases.count) bodies")

        for (index, (testCase, expected)) in zip(cases, reference).enumerated() {
            let context = "body \(index) (\(testCase.kind), seed \(Self.seed))"
            #expect(expected.ok == testCase.shouldParse, "Werkzeug disagrees with the generator on \(context)")
            // 1-byte chunks cost about a microsecond a byte in debug builds: keep them for the
            // bodies small enough, and cut the big ones finely at random instead.
            let fine = testCase.body.count <= 8 * 1024 ? Chunking.fixed(1) : .random(seed: UInt64(index), maxSize: 64)
            let finely = try? parse(testCase.body, boundary: testCase.boundary, chunking: fine)
            let coarsely = try? parse(
                testCase.body, boundary: testCase.boundary, chunking: .random(seed: UInt64(index), maxSize: 300))
            #expect(finely == coarsely, "\(context): \(fine) and coarser chunks disagree")
            #expect(Self.outcome(finely) == expected, "\(context), \(fine)")
        }
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        #expect(
            SHA256.hexDigest((0..<200).map(UInt8.init))
                == "1901da1c9f699b48f6b2636e65cbf73abf99d0441ef67f5c540a42f7051dec6f"
        )
    }

    // MARK: - Our side

    private static func outcome(_ parts: [ParsedPart]?) -> Outcome {
        guard let parts else { return Outcome(ok: false, parts: nil) }
        return Outcome(
            ok: true,
            parts: parts.map {
                Outcome.Part(
                    name: $0.headers.name,
                    filename: $0.headers.filename,
                    contentType: $0.headers.contentType,
                    size: $0.content.count,
                    sha256: SHA256.hexDigest($0.content)
                )
            }
        )
    }

    // MARK: - Werkzeug's side

    private static func runWerkzeug(on cases: [Case]) throws -> [Outcome] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "multipart-differential-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var manifest: [[String: String]] = []
        for (index, testCase) in cases.enumerated() {
            let file = "body-\(index).bin"
            try Data(testCase.body).write(to: directory.appendingPathComponent(file))
            manifest.append(["file": file, "boundary": testCase.boundary])
        }
        try JSONSerialization.data(withJSONObject: manifest).write(
            to: directory.appendingPathComponent("manifest.json"))

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Differential/werkzeug_parse.py")
        let stdoutURL = directory.appendingPathComponent("stdout.json")
        let stderrURL = directory.appendingPathComponent("stderr.txt")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.path]
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        process.waitUntilExit()

        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            // CI installs python3 and Werkzeug; without them this test must fail, not skip.
            throw ReferenceUnavailable(
                description: "the differential test needs python3 with Werkzeug on PATH (CI installs both): "
                    + "\(script.lastPathComponent) exited \(process.terminationStatus): \(stderr)"
            )
        }
        return try JSONDecoder().decode([Outcome].self, from: Data(contentsOf: stdoutURL))
    }

    // MARK: - Generating bodies

    private static let names = [
        "title", "applicant_name", "氏名", "with space", "semi;colon=x", "say \"hi\"", "back\\slash",
    ]
    private static let filenames = [
        "", "report.pdf", "開発計画 第2版.pdf", "résumé.docx", "a;b=c.txt", "quote\"d.txt", "C:\\fakepath\\scan.png",
    ]
    private static let contentTypes = [nil, "application/octet-stream", "text/plain; charset=UTF-8", "image/png"]

    private static func makeCase(_ index: Int, _ generator: inout SeededGenerator) -> Case {
        let boundary = makeBoundary(&generator)
        let marker = Array("--\(boundary)".utf8)
        var body: [UInt8] = []
        if Int.random(in: 0..<4, using: &generator) == 0 {
            body += without(
                marker,
                in: hostileBytes(&generator, count: Int.random(in: 0...300, using: &generator), boundary: boundary))
            body += Array("\r\n".utf8)
        }
        let missingDisposition = index % 24 == 23
        for partIndex in 0..<Int.random(in: 1...6, using: &generator) {
            body += Array("\(partIndex == 0 ? "" : "\r\n")--\(boundary)\(padding(&generator))\r\n".utf8)
            body += headerLines(&generator, omitDisposition: missingDisposition && partIndex == 0)
            body += Array("\r\n".utf8)
            let size =
                Int.random(in: 0..<20, using: &generator) == 0
                ? Int.random(in: 60_000...70_000, using: &generator) : Int.random(in: 0...3000, using: &generator)
            body += without(marker, in: hostileBytes(&generator, count: size, boundary: boundary))
        }
        body += Array("\r\n--\(boundary)--".utf8)
        let closed = body.count
        body += Array("\(padding(&generator))\r\n".utf8)
        body += hostileBytes(&generator, count: Int.random(in: 0...200, using: &generator), boundary: boundary)

        if missingDisposition {
            return Case(boundary: boundary, body: body, shouldParse: false, kind: "missing Content-Disposition")
        }
        if index % 8 == 7 {
            let cut = Int.random(in: 0..<closed, using: &generator)
            return Case(
                boundary: boundary, body: Array(body.prefix(cut)), shouldParse: false, kind: "truncated at \(cut)")
        }
        return Case(boundary: boundary, body: body, shouldParse: true, kind: "valid")
    }

    /// Either a browser-style boundary or 1–70 random RFC 2046 characters, spaces included.
    private static func makeBoundary(_ generator: inout SeededGenerator) -> String {
        let alphanumerics = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        if Bool.random(using: &generator) {
            return "----WebKitFormBoundary"
                + String((0..<16).map { _ in alphanumerics.randomElement(using: &generator)! })
        }
        let characters = alphanumerics + Array("'()+_,-./:=? ")
        var boundary = String(
            (0..<Int.random(in: 1...70, using: &generator)).map { _ in characters.randomElement(using: &generator)! })
        if boundary.hasSuffix(" ") { boundary.removeLast() }
        return boundary.isEmpty ? "x" : boundary
    }

    private static func padding(_ generator: inout SeededGenerator) -> String {
        ["", "", " ", "\t", " \t  "].randomElement(using: &generator)!
    }

    private static func headerLines(_ generator: inout SeededGenerator, omitDisposition: Bool) -> [UInt8] {
        var disposition = "form-data; name=\"\(quoted(names.randomElement(using: &generator)!))\""
        switch Int.random(in: 0..<4, using: &generator) {
        case 0:
            break
        case 1:
            // Werkzeug reads an empty `filename*` value as the literal `UTF-8''`; not our business.
            let filename = filenames.filter { !$0.isEmpty }.randomElement(using: &generator)!
            let encoded = filename.utf8.map { String(format: "%%%02X", $0) }.joined()
            disposition += "; filename=\"fallback.bin\"; filename*=UTF-8''\(encoded)"
        default:
            disposition += "; filename=\"\(quoted(filenames.randomElement(using: &generator)!))\""
        }
        var lines = [
            ["Content-Disposition", "content-disposition", "CONTENT-DISPOSITION"].randomElement(using: &generator)!
                + ": " + disposition
        ]
        if let contentType = contentTypes.randomElement(using: &generator)! {
            lines.insert("Content-Type: \(contentType)", at: Int.random(in: 0...1, using: &generator))
        }
        if omitDisposition {
            lines = ["Content-Type: text/plain"]
        }
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// Bytes that keep nearly forming the delimiter, mixed with CRLF runs and noise.
    private static func hostileBytes(_ generator: inout SeededGenerator, count: Int, boundary: String) -> [UInt8] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var bytes: [UInt8] = []
        while bytes.count < count {
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: bytes += delimiter.prefix(Int.random(in: 1..<delimiter.count, using: &generator))
            case 1: bytes += delimiter.dropLast() + [UInt8(ascii: "~")]
            case 2:
                bytes += Array(
                    repeating: [UInt8(ascii: "\r"), UInt8(ascii: "\n")], count: Int.random(in: 1...3, using: &generator)
                ).flatMap { $0 }
            case 3: bytes += Array("plain text, 日本語 ".utf8)
            default:
                bytes += (0..<Int.random(in: 1...64, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
        }
        return Array(bytes.prefix(count))
    }

    /// `bytes` with every occurrence of `marker` broken up, since content holding a whole
    /// boundary is not a valid body and the parsers may rightly differ on it.
    private static func without(_ marker: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while let range = bytes.firstRange(of: marker) {
            bytes.remove(at: range.lowerBound + 1)
        }
        return bytes
    }
}
