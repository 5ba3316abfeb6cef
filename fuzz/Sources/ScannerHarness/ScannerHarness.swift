@_spi(Fuzzing) import Scanner

/// The body of the four Scanner fuzz targets: one input, one structural checker.
///
/// Only inputs whose first bytes make them a candidate for the target's checker get to it, as in
/// the service, where the prefix stage routes each upload; the others return -1, which keeps
/// them out of libFuzzer's corpus so it spends its time on the checker.
public enum ScannerHarness {
    static let scanner = DocumentScanner()
    static let file = ScratchFile()

    /// What an accepted candidate must turn out to be.
    static let acceptedType: [Candidate: DocumentType] = [.pdf: .pdf, .png: .png, .ole2: .xls, .zip: .xlsx]

    /// Runs one input; traps when the Scanner breaks a promise (a read error on a regular
    /// file, or a verdict of the wrong type), which libFuzzer reports as a crash.
    public static func run(_ data: UnsafePointer<UInt8>?, _ size: Int, candidate: Candidate) -> Int32 {
        let bytes = UnsafeRawBufferPointer(start: data, count: size)
        guard scanner.sniff(prefix: bytes.prefix(DocumentScanner.prefixLength)) == .candidate(candidate) else {
            return -1
        }
        file.replaceContents(with: bytes)
        let result: Result<DocumentType, Rejection>
        do {
            result = try scanner.structuralResult(ofDescriptor: file.descriptor)
        } catch {
            fatalError("reading the scratch file failed: \(error)")
        }
        if case .success(let type) = result, type != acceptedType[candidate] {
            fatalError("a \(candidate) candidate was accepted as \(type)")
        }
        if candidate == .zip { checkStreamed(bytes, against: result) }
        return 0
    }

    /// The ZIP entries inflated while an upload arrives may save the final stage work, never change
    /// its verdict: the input is fed to the inspector in pieces whose size its last byte picks (so the
    /// fuzzer explores the split points too), and the verdict given its report must be the same, detail included.
    static func checkStreamed(_ bytes: UnsafeRawBufferPointer, against result: Result<DocumentType, Rejection>) {
        var inspector = scanner.zipStreamInspector()
        let step = 1 + Int(bytes.last ?? 0) * 37
        var start = 0
        while start < bytes.count {
            inspector.append(bytes[start..<min(bytes.count, start + step)])
            start += step
        }
        let report = inspector.finish()
        let streamed: Result<DocumentType, Rejection>
        do {
            streamed = try scanner.structuralResult(ofDescriptor: file.descriptor, streamed: report)
        } catch {
            fatalError("reading the scratch file failed: \(error)")
        }
        guard streamed == result else {
            fatalError("the streamed report changed the verdict: \(result) without it, \(streamed) with it")
        }
    }
}
