import Foundation

/// Reads `.eml` files through `eml_read.py` (Python's `email` package, as a mail client
/// decodes them), so that the tests check what a recipient sees, not our own encoder's idea of it.
enum EMLReader {
    static let script: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("eml_read.py").path

    /// One decoded message per path, in order.
    static func read(_ paths: [String]) async throws -> [[String: any Sendable]] {
        try await PythonScript.json(script, paths, as: [[String: any Sendable]].self)
    }

    /// The `.eml` files in `directory`, sorted, waiting up to `timeout` for at least `count`: 60 s by
    /// default, because a loaded CI machine has delivered a notice after more than 15 s; a delivery
    /// that works returns at once.
    static func files(in directory: String, atLeast count: Int, timeout: Duration = .seconds(60)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }
            if names.count >= count || ContinuousClock.now >= deadline { return names.sorted().map { directory + "/" + $0 } }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
