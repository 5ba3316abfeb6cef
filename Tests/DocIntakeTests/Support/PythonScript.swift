import Foundation

/// Runs one of the tests' Python scripts with the developer's own `python3` (the one `.ci/run`
/// installed the test peers into) and returns the JSON it printed.
enum PythonScript {
    static func json<T: Sendable>(_ script: String, _ arguments: [String], as type: T.Type) async throws -> T {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let name = URL(fileURLWithPath: script).lastPathComponent
            guard process.terminationStatus == 0, let json = (try? JSONSerialization.jsonObject(with: data)) as? T else {
                throw TestFailure("\(name) \(arguments.first ?? "") failed: \(String(decoding: data, as: UTF8.self))")
            }
            return json
        }
    }
}
