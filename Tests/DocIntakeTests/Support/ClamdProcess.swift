import Antivirus
import Foundation

/// A throwaway clamd from Debian's clamav-daemon: its own configuration, socket and signature
/// database in a temp directory, stopped when the body ends, also when it throws. freshclam cannot
/// reach its mirrors here, and clamd refuses to start without signatures, so the database is one
/// signature written at test time: the EICAR test string (built from two halves, so that no file
/// in the repository is itself a test virus).
final class ClamdProcess: @unchecked Sendable {
    static let eicar = Data(("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").utf8)
    /// The name clamd reports: ours, marked unofficial by clamd.
    static let signature = "DocIntake.Test.EICAR.UNOFFICIAL"

    let directory: String
    var socketPath: String { directory + "/clamd.sock" }
    var endpoint: ClamdEndpoint { .unix(path: socketPath) }
    private var process: Process?

    private init(directory: String) { self.directory = directory }

    static func with<T: Sendable>(_ body: (ClamdProcess) async throws -> T) async throws -> T {
        let directory = NSTemporaryDirectory() + "docintake-clamd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        let clamd = ClamdProcess(directory: directory)
        defer {
            clamd.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let hex = eicar.map { String(format: "%02x", $0) }.joined()
        try Data("DocIntake.Test.EICAR:0:*:\(hex)\n".utf8).write(to: URL(fileURLWithPath: directory + "/db/test.ndb"))
        // The limits sit above the 100 MiB cap, as docs/antivirus.md tells an operator to set them.
        let configuration = """
            LocalSocket \(clamd.socketPath)
            DatabaseDirectory \(directory)/db
            Foreground yes
            LogFile \(directory)/clamd.log
            StreamMaxLength 110M
            MaxFileSize 1100M
            MaxScanSize 1200M
            AlertExceedsMax yes
            """
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: directory + "/clamd.conf"))
        try await offPool { try clamd.start() }
        return try await body(clamd)
    }

    /// Starts clamd and waits until it answers PING (loading signatures takes a few seconds).
    func start() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/clamd") else {
            throw TestFailure("clamd is not installed: .ci/run installs clamav-daemon")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/clamd")
        process.arguments = ["-c", directory + "/clamd.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // The `defer` in `with` stops clamd when a test ends or throws, but not when the test
        // process is killed or crashes.
        try ParentWatch.start(process, directory: directory)
        let client = ClamdClient(endpoint: endpoint, timeout: .seconds(5))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? client.ping()) != nil { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: directory + "/clamd.log", encoding: .utf8)) ?? ""
        throw TestFailure("clamd did not answer PING: \(log.suffix(2000))")
    }

    /// A signature published after documents were stored, as freshclam would bring it: written to
    /// the database, and clamd restarted to load it (as NotifyClamd's reload does). Its name as
    /// clamd reports it is `<name>.UNOFFICIAL`.
    func addSignature(name: String, matching bytes: Data) async throws {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        try Data("\(name):0:*:\(hex)\n".utf8).write(to: URL(fileURLWithPath: directory + "/db/\(name).ndb"))
        try await offPool {
            self.stop()
            try self.start()
        }
    }

    /// SIGKILL: clamd gone mid-scan, as a crash would leave it.
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
