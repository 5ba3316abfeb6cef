import Foundation

/// Runs one of the tests' Python scripts with the developer's own `python3` (the one `.ci/run`
/// installed the test peers into) and returns the JSON it printed.
enum PythonScript {
    static func json<T: Sendable>(_ script: String, _ arguments: [String], as type: T.Type) async throws -> T {
        let (data, status) = try await run([script] + arguments)
        let name = URL(fileURLWithPath: script).lastPathComponent
        guard status == 0, let json = (try? JSONSerialization.jsonObject(with: data)) as? T else {
            throw TestFailure("\(name) \(arguments.first ?? "") failed: \(String(decoding: data, as: UTF8.self))")
        }
        return json
    }

    /// `python3 arguments…` off the cooperative pool: what it printed (standard error too when
    /// `mergingErrors`) and its exit status, for callers that judge a failing run's output themselves.
    static func run(
        _ arguments: [String], in directory: String? = nil, mergingErrors: Bool = false
    ) async throws
        -> (output: Data, status: Int32)
    {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let output = Pipe()
            process.standardOutput = output
            if mergingErrors { process.standardError = output }
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (data, process.terminationStatus)
        }
    }
}
