import Foundation

/// Runs `rawclient.py` (beside this file) for what curl cannot do, and returns its JSON line.
enum RawClient {
    static let script: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("rawclient.py").path

    static func run(_ arguments: [String]) async throws -> [String: any Sendable] {
        try await PythonScript.json(script, arguments, as: [String: any Sendable].self)
    }
}
