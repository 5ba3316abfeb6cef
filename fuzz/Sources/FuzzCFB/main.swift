import Scanner
import ScannerHarness

/// libFuzzer's entry point: the CFB structural check on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCFB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ScannerHarness.run(data, size, candidate: .ole2)
}
