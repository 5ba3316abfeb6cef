import Scanner
import ScannerHarness

/// libFuzzer's entry point: the ZIP structural check on one input, with and without the entries inflated while it streams.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZIP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ScannerHarness.run(data, size, candidate: .zip)
}
