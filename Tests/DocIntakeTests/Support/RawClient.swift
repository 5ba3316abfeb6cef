import Foundation

/// Runs `rawclient.py` (beside this file) for what curl cannot do, and returns its JSON line.
enum RawClient {
    static let script: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("rawclient.py").path

    static func run(_ arguments: [String]) async throws -> [String: any Sendable] {
        try await offPool { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws -> [String: any Sendable] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: any Sendable]
        else { throw TestFailure("rawclient.py \(arguments.first ?? "") failed: \(String(decoding: data, as: UTF8.self))") }
        return json
    }
}
