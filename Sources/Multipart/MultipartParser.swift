/// A streaming multipart/form-data parser (RFC 7578, RFC 2046): feed it the body as it arrives
/// and pull events out.
///
/// For each network chunk call `append(_:)`, then `next()` until it returns nil; when the input
/// ends call `finish()`. Part content is handed out as soon as it cannot be the start of a
/// delimiter, so the parser holds about one chunk plus the header limit, never a whole part.
public struct MultipartParser: Sendable {
    private enum State: Sendable {
        case preamble
        /// A delimiter was consumed; the next bytes tell another part from the end of the body.
        case afterDelimiter
        /// Waiting for the blank line that ends a part's headers; the first `scanned`
        /// unconsumed bytes are known not to start it.
        case headers(scanned: Int)
        case body
        case epilogue
    }

    private static let blankLine: [UInt8] = [.cr, .lf, .cr, .lf]

    /// CRLF, `--`, boundary: what ends the preamble and each part (RFC 2046 §5.1.1).
    private let delimiter: [UInt8]
    private let limits: MultipartLimits
    private var input = InputBuffer()
    private var state = State.preamble
    private var partCount = 0
    private var preambleCount: Int
    private var epilogueCount = 0
    private var failure: MultipartError?

    /// True once the closing delimiter has been parsed; later bytes are epilogue.
    public private(set) var isComplete = false

    /// Bytes the parser holds right now, for monitoring and tests. While the caller drains
    /// `next()` after every `append(_:)`, this stays below the latest chunk plus twice
    /// (`maxHeaderBytesPerPart` + the delimiter length).
    public var bufferedByteCount: Int { input.footprint }

    /// Creates a parser for a body whose Content-Type carries `boundary` (see
    /// `boundary(fromContentType:)`); throws `invalidBoundary` unless it has 1–70 RFC 2046
    /// boundary characters.
    public init(boundary: String, limits: MultipartLimits = .init()) throws(MultipartError) {
        guard Self.isValid(boundary: boundary) else {
            throw MultipartError(.invalidBoundary, "boundary must be 1–70 RFC 2046 characters, not ending in a space")
        }
        let lineBreak: [UInt8] = [.cr, .lf]
        delimiter = lineBreak + Array("--\(boundary)".utf8)
        self.limits = limits
        // The first delimiter may open the body without its CRLF. Starting the input with one
        // lets a single search find both forms; the preamble count does not charge for it.
        preambleCount = -lineBreak.count
        lineBreak.withUnsafeBytes { input.append($0) }
    }

    /// Extracts the boundary from a Content-Type value such as
    /// `multipart/form-data; boundary="abc"`; nil unless the type is multipart/form-data and it
    /// has exactly one valid boundary (RFC 2046: 1–70 characters).
    public static func boundary(fromContentType contentType: String) -> String? {
        guard let parsed = HeaderParameters(parsing: Array(contentType.utf8)),
            parsed.value.lowercased() == "multipart/form-data",
            let raw = parsed.parameters["boundary"],
            let boundary = String(validating: raw, as: UTF8.self),
            isValid(boundary: boundary)
        else { return nil }
        return boundary
    }

    /// Appends bytes received from the network. Bytes appended after a failure are dropped.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        input.append(bytes)
    }

    /// Appends bytes received from the network; contiguous collections (`[UInt8]`, `Data`,
    /// NIO's `ByteBufferView`) are copied in one go.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        let appended: Void? = bytes.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if appended == nil {
            Array(bytes).withUnsafeBytes { append($0) }
        }
    }

    /// The next event available from the bytes appended so far, or nil when more input is
    /// needed. Throws on a malformed body or an exceeded limit, and from then on every call
    /// throws the same error.
    public mutating func next() throws(MultipartError) -> MultipartEvent? {
        if let failure { throw failure }
        do throws(MultipartError) {
            return try advance()
        } catch {
            failure = error
            throw error
        }
    }

    /// Declares the input complete: throws `unexpectedEnd` unless the closing delimiter was
    /// seen (or the error `next()` already threw). Call it after draining `next()`.
    public func finish() throws(MultipartError) {
        if let failure { throw failure }
        guard isComplete else {
            throw MultipartError(.unexpectedEnd, "input ended \(inputPosition), without the closing boundary")
        }
    }

    private mutating func advance() throws(MultipartError) -> MultipartEvent? {
        while true {
            switch state {
            case .preamble:
                guard let found = input.firstOffset(of: delimiter, from: 0) else {
                    try skipPreamble(input.incompleteTailOffset(of: delimiter))
                    return nil
                }
                try skipPreamble(found)
                input.consume(delimiter.count)
                state = .afterDelimiter

            case .afterDelimiter:
                // `--` closes the body, so a lone `-` has to wait for the next byte.
                guard input.count >= 2 || (input.count == 1 && input[0] != .hyphen) else { return nil }
                if input.count >= 2 && input[0] == .hyphen && input[1] == .hyphen {
                    input.consume(2)
                    isComplete = true
                    state = .epilogue
                } else {
                    guard partCount < limits.maxParts else {
                        throw MultipartError(.tooManyParts, "more than \(limits.maxParts) parts")
                    }
                    state = .headers(scanned: 0)
                }

            case .headers(let scanned):
                guard let end = input.firstOffset(of: Self.blankLine, from: scanned) else {
                    guard input.count <= limits.maxHeaderBytesPerPart else { throw headersTooLarge() }
                    state = .headers(scanned: max(0, input.count - (Self.blankLine.count - 1)))
                    return nil
                }
                let sectionCount = end + Self.blankLine.count
                guard sectionCount <= limits.maxHeaderBytesPerPart else { throw headersTooLarge() }
                let headers = try PartHeaders(parsingSection: input.copy(0..<end), limits: limits)
                input.consume(sectionCount)
                partCount += 1
                state = .body
                return .partBegin(headers)

            case .body:
                guard let found = input.firstOffset(of: delimiter, from: 0) else {
                    let releasable = input.incompleteTailOffset(of: delimiter)
                    return releasable > 0 ? release(releasable) : nil
                }
                if found > 0 { return release(found) }
                input.consume(delimiter.count)
                state = .afterDelimiter
                return .partEnd

            case .epilogue:
                epilogueCount += input.count
                input.consume(input.count)
                guard epilogueCount <= limits.maxEpilogueBytes else {
                    throw MultipartError(
                        .epilogueTooLarge, "more than \(limits.maxEpilogueBytes) bytes after the closing boundary")
                }
                return nil
            }
        }
    }

    private mutating func skipPreamble(_ byteCount: Int) throws(MultipartError) {
        preambleCount += byteCount
        input.consume(byteCount)
        guard preambleCount <= limits.maxPreambleBytes else {
            throw MultipartError(
                .preambleTooLarge, "more than \(limits.maxPreambleBytes) bytes before the first boundary")
        }
    }

    private mutating func release(_ byteCount: Int) -> MultipartEvent {
        let content = input.copy(0..<byteCount)
        input.consume(byteCount)
        return .body(content)
    }

    private func headersTooLarge() -> MultipartError {
        MultipartError(
            .headersTooLarge, "headers of part \(partCount + 1) exceed \(limits.maxHeaderBytesPerPart) bytes")
    }

    /// Where the input stopped, for the `unexpectedEnd` message.
    private var inputPosition: String {
        switch state {
        case .preamble: "before the first boundary"
        case .afterDelimiter, .headers: "in the headers of part \(partCount + 1)"
        case .body: "in the content of part \(partCount)"
        case .epilogue: "after the closing boundary"
        }
    }

    private static func isValid(boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        return (1...70).contains(bytes.count) && bytes.allSatisfy(\.isBoundaryChar) && bytes.last != .space
    }
}
