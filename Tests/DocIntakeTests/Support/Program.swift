import Foundation

/// Runs a program to completion without blocking a thread of the cooperative pool, which the
/// in-process server needs to answer it.
enum Program {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        // An operator's command on a test server's data directory opens that server's database.
        let arguments = arguments + TestBackend.registeredArguments(in: arguments, environment: environment)
        let directory = NSTemporaryDirectory() + "program-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard FileManager.default.createFile(atPath: directory + "/out", contents: nil),
            FileManager.default.createFile(atPath: directory + "/err", contents: nil)
        else { throw TestFailure("cannot create output files in \(directory)") }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/err"))
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // A clean environment: the developer's own DOCINTAKE_TOKEN must not leak into a test.
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
            .merging(TestBackend.environment(forArguments: arguments)) { $1 }.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Result(
            status: status,
            stdout: (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "")
    }

    /// `docintake-review`, built next to the test bundle because DocIntakeTests depends on it.
    static func reviewBinary() throws -> String { try binary("docintake-review") }

    /// `docintake`, built next to the test bundle because DocIntakeTests depends on it.
    static func docintakeBinary() throws -> String { try binary("docintake") }

    private static func binary(_ name: String) throws -> String {
        let candidates =
            [Bundle.main.bundleURL]
            + Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
            .map { $0.deletingLastPathComponent() }
        for directory in candidates {
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(name) not found next to the test bundle (looked in \(candidates.map(\.path)))")
    }
}
