import Foundation
import Scanner

/// Writes bytes to a fresh temporary file named `name` (the name must never matter), scans it, and removes it.
func scan(_ bytes: [UInt8], named name: String = "upload.bin", limits: ScanLimits = .init()) throws -> Verdict {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scanner-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return try DocumentScanner(limits: limits).scan(fileAt: url.path)
}

extension Verdict {
    /// The accepted type, or nil.
    var accepted: DocumentType? { try? result.get() }

    /// The rejection reason, or nil.
    var reason: RejectionReason? {
        if case .failure(let rejection) = result { return rejection.reason }
        return nil
    }

    /// The log detail of a rejection, to explain a failed expectation.
    var detail: String {
        switch result {
        case .success(let type): "accepted as \(type)"
        case .failure(let rejection): "\(rejection.reason.rawValue): \(rejection.detail ?? "-")"
        }
    }
}
