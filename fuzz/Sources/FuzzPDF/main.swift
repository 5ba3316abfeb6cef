import Scanner
import ScannerHarness

/// libFuzzer's entry point: the PDF structural check on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ScannerHarness.run(data, size, candidate: .pdf)
}
