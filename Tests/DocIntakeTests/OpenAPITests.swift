import DocIntake
import Foundation
import Testing

/// The running server against `openapi.yaml`: statuses, content types and JSON bodies.
@Suite struct OpenAPITests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    @Test func theServerConformsToItsOpenAPIDocument() async throws {
        try await TestServer.with { server in
            let token = try ReviewerAdmin(metadata: try server.stores().metadata).add(name: "openapi-check")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", Self.root.appendingPathComponent("Tests/DocIntakeTests/Support/openapi_check.py").path,
                Self.root.appendingPathComponent("openapi.yaml").path, server.baseURL, token, Fixtures.uploads,
                "http://127.0.0.1:\(server.metricsPort)",
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = try await offPool {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return data
            }
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                       "openapi_check.py printed no summary: \(String(decoding: data, as: UTF8.self))")
            #expect((summary["checked"] as? Int ?? 0) >= 20)
            #expect((summary["failures"] as? [String] ?? ["missing"]).isEmpty, "\(summary["failures"] ?? "")")
            #expect(process.terminationStatus == 0)
        }
    }
}
