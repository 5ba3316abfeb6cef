import Foundation

/// Tests/Support/reap-with-parent.sh for a server a test started itself: it kills the server (and
/// removes `directory`) when the test process dies without its own cleanup, killed from outside or
/// crashed, so that no clamd, nginx or `docintake serve` outlives a CI run.
enum ParentWatch {
    static func start(_ server: Process, directory: String?) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Support/reap-with-parent.sh").path
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: "/bin/bash")
        watcher.arguments = [script, String(getpid()), String(server.processIdentifier), directory ?? "-"]
        // None of the test process's output: swift test waits until every holder of it has closed it.
        watcher.standardInput = FileHandle.nullDevice
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
    }
}
