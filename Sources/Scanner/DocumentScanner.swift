/// Decides what an uploaded document really is, from its bytes alone: never from its name or declared type.
///
/// Two stages: ``sniff(prefix:)`` lets the server refuse a hopeless upload from its first bytes while it
/// still streams in, and ``scan(fileAt:)`` checks the complete file's structure and gives the verdict.
public struct DocumentScanner: Sendable {
    /// The most bytes ``sniff(prefix:)`` ever needs: after this many it always decides.
    public static let prefixLength = PrefixSniffer.maxLength

    /// The bounds applied to hostile files.
    public var limits: ScanLimits

    /// A scanner with the given bounds.
    public init(limits: ScanLimits = .init()) {
        self.limits = limits
    }

    /// The prefix stage. Pass every byte received so far (only the first ``prefixLength`` are looked at).
    ///
    /// `.rejected` is final; `.candidate` still needs ``scan(fileAt:)``; `.needMoreBytes` means read on,
    /// and if the upload ends first, ``scan(fileAt:)`` decides.
    public func sniff(prefix: some Collection<UInt8>) -> PrefixVerdict {
        PrefixSniffer.sniff(prefix)
    }

    /// The final stage on a complete file on disk.
    ///
    /// `streamed` is what a ``ZIPStreamInspector`` fed this file's bytes found while they arrived: the
    /// ZIP entries it vouches for are not inflated again. It never changes the verdict, only its cost.
    ///
    /// Bad content is always a verdict; this throws ``FileReadError`` only when the file cannot be opened or read.
    public func scan(fileAt path: String, streamed: ZIPStreamReport? = nil) throws(FileReadError) -> Verdict {
        let file = try InputFile(path: path)
        let magicMime = MagicPool.shared.mimeType(ofDescriptor: file.descriptor)
        return Verdict(result: try result(checking: file.reader, streamed: streamed), magicMime: magicMime)
    }

    /// A parser for this scanner's limits, to feed a ZIP candidate's bytes while they arrive.
    public func zipStreamInspector() -> ZIPStreamInspector {
        ZIPStreamInspector(limits: limits)
    }

    /// The structural checks' outcome: a ``Rejection`` is a result, only a read failure is an error.
    func result(checking file: FileReader, streamed: ZIPStreamReport? = nil) throws(FileReadError) -> Result<DocumentType, Rejection> {
        do {
            return .success(try check(file, streamed: streamed))
        } catch let rejection as Rejection {
            return .failure(rejection)
        } catch let error as FileReadError {
            throw error
        } catch {
            preconditionFailure("checks throw only Rejection or FileReadError, not \(error)")
        }
    }

    private func check(_ file: FileReader, streamed: ZIPStreamReport?) throws -> DocumentType {
        guard file.size > 0 else { throw Rejection(.empty, detail: "0 bytes") }
        let head = try file.read(at: 0, count: Self.prefixLength)
        switch PrefixSniffer.sniff(head, isComplete: true) {
        case .rejected(let rejection):
            throw rejection
        case .needMoreBytes:
            throw Rejection(.truncated, detail: "\(file.size) bytes: the start of a signature, cut short")
        case .candidate(.pdf):
            return try PDFCheck.check(file)
        case .candidate(.png):
            return try PNGCheck.check(file, limits: limits)
        case .candidate(.ole2):
            return try CFBCheck.check(file, limits: limits)
        case .candidate(.zip):
            return try ZIPCheck.check(file, limits: limits, streamed: streamed)
        }
    }
}
