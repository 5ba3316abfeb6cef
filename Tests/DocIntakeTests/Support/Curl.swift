import Foundation

/// A real HTTP client for the end-to-end tests: curl, as an applicant's script would use it.
struct Curl {
    struct Result: Sendable {
        let status: Int
        let body: Data
        let headers: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        /// `errors[].field` → `errors[].code` of a problem+json body.
        var fieldCodes: [String: String] {
            var out: [String: String] = [:]
            for error in json["errors"] as? [[String: Any]] ?? [] {
                if let field = error["field"] as? String, let code = error["code"] as? String { out[field] = code }
            }
            return out
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Runs curl with `arguments` plus options that capture status, headers and body.
    static func run(_ arguments: [String]) async throws -> Result {
        try await offPool { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws -> Result {
        let dir = NSTemporaryDirectory() + "curl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-o", dir + "/body", "-D", dir + "/headers", "-w", "%{http_code}"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let statusText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(
            status: Int(statusText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            body: (try? Data(contentsOf: URL(fileURLWithPath: dir + "/body"))) ?? Data(),
            headers: (try? String(contentsOfFile: dir + "/headers", encoding: .utf8)) ?? "")
    }
}

/// The fixture directory, found from this file's location.
enum Fixtures {
    static let uploads: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures/uploads").path
    }()

    static func path(_ name: String) -> String { uploads + "/" + name }
}
