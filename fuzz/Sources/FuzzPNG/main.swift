import Scanner
import ScannerHarness

/// libFuzzer's entry point: the PNG structural check on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ScannerHarness.run(data, size, candidate: .png)
}
