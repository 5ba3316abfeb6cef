import Multipart
import Testing

/// A small, seedable generator so that random tests replay exactly (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// How a test cuts a body into the chunks it appends.
enum Chunking: Sendable, CustomStringConvertible {
    case whole
    case fixed(Int)
    case random(seed: UInt64, maxSize: Int)

    var description: String {
        switch self {
        case .whole: "whole"
        case .fixed(let size): "\(size)-byte chunks"
        case .random(let seed, let maxSize): "random chunks ≤ \(maxSize) (seed \(seed))"
        }
    }

    func chunks(of count: Int) -> [Range<Int>] {
        var generator = SeededGenerator(seed: { if case .random(let seed, _) = self { seed } else { 0 } }())
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < count {
            let size =
                switch self {
                case .whole: count
                case .fixed(let size): size
                case .random(_, let maxSize): Int.random(in: 1...maxSize, using: &generator)
                }
            ranges.append(offset..<min(offset + size, count))
            offset += size
        }
        return ranges
    }
}

/// A part as the caller sees it once its body events are concatenated.
struct ParsedPart: Equatable, CustomStringConvertible {
    var headers: PartHeaders
    var content: [UInt8]

    var description: String {
        "\(headers.name) filename=\(headers.filename ?? "nil") type=\(headers.contentType ?? "nil") \(content.count) bytes"
    }
}

/// A broken promise of the event stream, as opposed to a rejected body.
struct EventOrderViolation: Error, CustomStringConvertible {
    var description: String
}

/// Feeds `body` to a parser the way the service does and returns its parts; also checks what
/// every caller relies on: events come in order and body events are never empty.
func parse(
    _ body: [UInt8],
    boundary: String = TestBody.boundary,
    limits: MultipartLimits = .init(),
    chunking: Chunking = .whole,
    onChunk: (MultipartParser) -> Void = { _ in }
) throws -> [ParsedPart] {
    var parser = try MultipartParser(boundary: boundary, limits: limits)
    var parts: [ParsedPart] = []
    var inPart = false
    for range in chunking.chunks(of: body.count) {
        parser.append(body[range])
        onChunk(parser)
        while let event = try parser.next() {
            switch event {
            case .partBegin(let headers):
                guard !inPart else { throw EventOrderViolation(description: "partBegin inside a part") }
                parts.append(ParsedPart(headers: headers, content: []))
                inPart = true
            case .body(let bytes):
                guard inPart else { throw EventOrderViolation(description: "body outside a part") }
                guard !bytes.isEmpty else { throw EventOrderViolation(description: "empty body event") }
                parts[parts.count - 1].content += bytes
            case .partEnd:
                guard inPart else { throw EventOrderViolation(description: "partEnd outside a part") }
                inPart = false
            }
        }
    }
    try parser.finish()
    guard !inPart else { throw EventOrderViolation(description: "finish() accepted an open part") }
    return parts
}

/// The error `parse` throws for `body`, or nil when it parses.
func parseError(
    _ body: [UInt8],
    boundary: String = TestBody.boundary,
    limits: MultipartLimits = .init(),
    chunking: Chunking = .whole
) -> MultipartError? {
    do {
        _ = try parse(body, boundary: boundary, limits: limits, chunking: chunking)
        return nil
    } catch let error as MultipartError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Builds multipart bodies byte by byte, so tests can also build broken ones.
struct TestBody {
    static let boundary = "----DocIntakeBoundary7MA4YWxkTrZu0gW"

    var boundary = TestBody.boundary
    var bytes: [UInt8] = []

    init(boundary: String = TestBody.boundary, preamble: String = "") {
        self.boundary = boundary
        bytes = Array(preamble.utf8)
    }

    /// Adds a part: the delimiter, the header lines and the content. The very first
    /// delimiter of a body without preamble omits its CRLF, as browsers do.
    mutating func part(_ headerLines: [String], _ content: [UInt8]) {
        append((bytes.isEmpty ? "" : "\r\n") + "--\(boundary)\r\n")
        for line in headerLines { append(line + "\r\n") }
        append("\r\n")
        bytes += content
    }

    mutating func field(_ name: String, _ value: String) {
        part(["Content-Disposition: form-data; name=\"\(name)\""], Array(value.utf8))
    }

    mutating func file(_ name: String, filename: String, type: String = "application/octet-stream", _ content: [UInt8]) {
        part(
            ["Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"", "Content-Type: \(type)"],
            content)
    }

    mutating func close(epilogue: String = "\r\n") {
        append("\r\n--\(boundary)--" + epilogue)
    }

    mutating func append(_ text: String) {
        bytes += Array(text.utf8)
    }

    /// A body with one part whose headers are `headerLines`, closed.
    static func single(_ headerLines: [String], _ content: String = "x") -> [UInt8] {
        var body = TestBody()
        body.part(headerLines, Array(content.utf8))
        body.close()
        return body.bytes
    }
}
