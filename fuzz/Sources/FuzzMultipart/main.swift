import Multipart

// Input layout: byte 0 chooses the boundary (bits 0-1) and tight limits (bit 2); byte 1 says how
// many of the next bytes (0-7) are chunk sizes (each byte b is a chunk of b + 1 bytes, cycled;
// none means one byte at a time); the rest is the body. fuzz/seeds/multipart.py writes seeds so.

/// The boundaries a body is parsed with: RFC 7578's example, WebKit's, Firefox's and a 70-byte
/// one using every special character RFC 2046 allows (a space included, not last).
let boundaries = [
    "AaB03x",
    "----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "---------------------------9051914041544843365972754266",
    "'()+_,-./:=? 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU",
]

/// Small enough that the fuzzer reaches every limit with short inputs.
let tightLimits = MultipartLimits(
    maxParts: 3, maxHeaderBytesPerPart: 256, maxFilenameBytes: 16, maxPreambleBytes: 64, maxEpilogueBytes: 64)

/// What a parse produced: the parts it completed, and how it ended.
struct Outcome: Equatable {
    struct Part: Equatable {
        var headers: PartHeaders
        var content: [UInt8]
    }

    enum End: Equatable {
        case complete
        case failed(MultipartError.Code)
    }

    var parts: [Part] = []
    var end = End.complete
}

/// Parses `body` appended in chunks of the given sizes (cycled), checking the parser's promises
/// after every append: events in order, no empty content, the documented memory bound, and
/// an error that sticks.
func parse(_ body: ArraySlice<UInt8>, boundary: String, limits: MultipartLimits, chunkSizes: [Int]) -> Outcome {
    var parser: MultipartParser
    do {
        parser = try MultipartParser(boundary: boundary, limits: limits)
    } catch {
        fatalError("a valid boundary was refused: \(error)")
    }
    let delimiterLength = 4 + boundary.utf8.count
    var outcome = Outcome()
    var current: Outcome.Part?
    var offset = body.startIndex
    var chunk = 0
    func fail(_ first: MultipartError) -> Outcome {
        // Once failed, the parser must keep throwing the same error, even after more input.
        parser.append([0x2d, 0x2d, 0x0d, 0x0a])
        do {
            _ = try parser.next()
            fatalError("next() succeeded after \(first)")
        } catch {
            precondition(error == first, "\(error) after \(first)")
        }
        outcome.end = .failed(first.code)
        return outcome
    }
    while offset < body.endIndex {
        let count = min(chunkSizes[chunk % chunkSizes.count], body.endIndex - offset)
        chunk += 1
        parser.append(body[offset..<offset + count])
        offset += count
        do {
            while let event = try parser.next() {
                switch event {
                case .partBegin(let headers):
                    precondition(current == nil, "partBegin inside a part")
                    precondition(!headers.name.isEmpty, "a part without a name")
                    current = Outcome.Part(headers: headers, content: [])
                case .body(let bytes):
                    precondition(!bytes.isEmpty, "an empty body event")
                    precondition(current != nil, "body outside a part")
                    current!.content += bytes
                case .partEnd:
                    guard let part = current else { fatalError("partEnd outside a part") }
                    outcome.parts.append(part)
                    current = nil
                }
            }
        } catch {
            return fail(error)
        }
        let bound = count + 2 * (limits.maxHeaderBytesPerPart + delimiterLength)
        precondition(
            parser.bufferedByteCount <= bound,
            "the parser holds \(parser.bufferedByteCount) bytes after a \(count)-byte chunk, more than \(bound)")
    }
    do {
        try parser.finish()
    } catch {
        outcome.end = .failed(error.code)
        return outcome
    }
    precondition(current == nil && parser.isComplete, "finish() accepted an incomplete body")
    return outcome
}

/// libFuzzer's entry point: one body, parsed whole and in chunks; both must agree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 2 else { return -1 }
    let boundary = boundaries[Int(input[0] & 0b11)]
    let limits = input[0] & 0b100 != 0 ? tightLimits : MultipartLimits()
    let chunkByteCount = min(Int(input[1] % 8), input.count - 2)
    let chunkSizes = input[2..<2 + chunkByteCount].map { Int($0) + 1 }
    let body = input[(2 + chunkByteCount)...]

    // The Content-Type parser on the same bytes: any boundary it extracts must be one the parser takes.
    if let extracted = MultipartParser.boundary(fromContentType: String(decoding: body.prefix(256), as: UTF8.self)) {
        precondition((try? MultipartParser(boundary: extracted)) != nil, "boundary \(extracted) extracted but refused")
    }

    let whole = parse(body, boundary: boundary, limits: limits, chunkSizes: [max(body.count, 1)])
    let chunked = parse(body, boundary: boundary, limits: limits, chunkSizes: chunkSizes.isEmpty ? [1] : chunkSizes)
    precondition(whole == chunked, "one-shot and chunked parses differ: \(whole) vs \(chunked)")
    return 0
}
