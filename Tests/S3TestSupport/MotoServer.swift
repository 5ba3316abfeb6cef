import Foundation
import S3

/// A throwaway moto S3 server shared by every test of one test process: started on first use by
/// Tests/Support/moto-server.sh (a free loopback port, a temp directory, SigV4 checking on with an IAM
/// user of its own), and stopped by that script when this process exits, also when it crashes.
/// Each test takes a bucket of its own from `freshBucket()`, so tests run in parallel without seeing
/// each other's objects. moto is an emulator: it is what the tests have, not proof of AWS's behaviour.
public final class MotoServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let endpoint: URL
    /// The region moto was set up for.
    public let region: String
    /// The IAM user's access key, the only one moto accepts.
    public let credentials: S3Credentials
    /// moto's process id (for a test that wants to watch it).
    public let pid: Int32
    /// The server's directory (server.log).
    public let directory: String
    private let script: MotoScript

    private init(endpoint: URL, region: String, credentials: S3Credentials, pid: Int32, directory: String, script: MotoScript) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.pid = pid
        self.directory = directory
        self.script = script
    }

    /// The server of this test process, started on first call.
    public static func shared() async throws -> MotoServer {
        try await starter.server()
    }

    /// A server of the caller's own, for a test that pauses it (which would disturb the tests on the shared
    /// one); `shutdown()` it at the end.
    public static func launch() async throws -> MotoServer {
        try await start()
    }

    private static let starter = Starter()

    /// A configuration for the bucket `name` on this server, path style. The timeouts allow for a machine loaded by the
    /// whole suite (moto is Python on two shared cores); a test about timeouts sets its own.
    public func configuration(
        bucket name: String, timeouts: S3Configuration.Timeouts? = nil, retry: S3Configuration.Retry? = nil
    )
        -> S3Configuration
    {
        S3Configuration(
            endpoint: endpoint, region: region, bucket: name, credentials: credentials, pathStyle: true,
            timeouts: timeouts ?? S3Configuration.Timeouts(connect: .seconds(5), read: .seconds(20), request: .seconds(60)),
            retry: retry ?? S3Configuration.Retry())
    }

    /// Creates an empty bucket with a unique name and returns its configuration.
    public func freshBucket() async throws -> S3Configuration {
        let name = "docintake-test-" + UUID().uuidString.lowercased()
        let configuration = configuration(bucket: name)
        try await S3Client.withClient(configuration) { try await $0.createBucket() }
        return configuration
    }

    /// The variables `S3Configuration.fromEnvironment` reads, for a server process started by a test.
    public var environment: [String: String] {
        [
            "AWS_ENDPOINT_URL_S3": endpoint.absoluteString, "AWS_REGION": region, "AWS_ACCESS_KEY_ID": credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
        ]
    }

    /// Freezes the server (SIGSTOP): connections are still accepted by the kernel, nothing answers.
    public func pause() async throws {
        try await script.command("stop", awaiting: "stopped")
    }

    /// Resumes a paused server (SIGCONT), its objects intact.
    public func resume() async throws {
        try await script.command("cont", awaiting: "continued")
    }

    /// Kills the server and removes its directory (the script's trap), waiting until that is done.
    public func shutdown() async {
        await script.terminate()
    }

    private actor Starter {
        private var started: Task<MotoServer, any Error>?

        func server() async throws -> MotoServer {
            if let started { return try await started.value }
            let task = Task { try await MotoServer.start() }
            started = task
            return try await task.value
        }
    }

    private static func start() async throws -> MotoServer {
        let script = try MotoScript.launch()
        let directory = try await script.line(prefixed: "dir=")
        let pid = try await script.line(prefixed: "pid=")
        let endpoint = try await script.line(prefixed: "endpoint=")
        let region = try await script.line(prefixed: "region=")
        let keyId = try await script.line(prefixed: "access_key_id=")
        let secret = try await script.line(prefixed: "secret_access_key=")
        _ = try await script.line(prefixed: "ready")
        guard let url = URL(string: endpoint), let pid = Int32(pid) else { throw MotoError("moto-server.sh printed \(endpoint)") }
        return MotoServer(
            endpoint: url, region: region, credentials: S3Credentials(accessKeyId: keyId, secretAccessKey: secret), pid: pid,
            directory: directory, script: script)
    }
}

/// Why the moto server could not be used.
public struct MotoError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// The running moto-server.sh and the lines it has printed so far. Its output is read on a thread of its
/// own, never on the cooperative pool (two threads here), which a blocking read would starve.
private final class MotoScript: @unchecked Sendable {
    private let process: Process
    /// The script's stdin: commands, and its end when this process exits.
    private let commands = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var consumed = 0
    private var ended = false

    private init(process: Process) { self.process = process }

    static func launch() throws -> MotoScript {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/moto-server.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path, String(getpid())]
        let output = Pipe()
        process.standardOutput = output
        // Not the test process's own output: swift test waits until every holder of it has closed it.
        process.standardError = FileHandle.nullDevice
        let script = MotoScript(process: process)
        process.standardInput = script.commands
        try process.run()
        let reader = Thread { script.read(output.fileHandleForReading) }
        reader.start()
        return script
    }

    private func read(_ handle: FileHandle) {
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                lock.withLock { lines.append(line) }
            }
        }
        lock.withLock { ended = true }
    }

    /// The next line not yet consumed that starts with `prefix` (earlier lines are skipped), without the prefix.
    func line(prefixed prefix: String, within seconds: Double = 120) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let found: String?? = lock.withLock {
                while consumed < lines.count {
                    let line = lines[consumed]
                    consumed += 1
                    if line.hasPrefix(prefix) { return .some(String(line.dropFirst(prefix.count))) }
                }
                return ended ? .some(nil) : nil
            }
            switch found {
            case .some(.some(let value)): return value
            case .some(.none):
                let errors = lock.withLock { lines.filter { $0.hasPrefix("error=") }.map { $0.dropFirst(6) }.joined(separator: "\n") }
                throw MotoError("moto-server.sh ended before printing \(prefix)\n\(errors)")
            case .none: try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw MotoError("moto-server.sh printed no \(prefix) within \(seconds) s")
    }

    func terminate() async {
        try? commands.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Sends a command and waits for its answer. Commands of concurrent tests are serialised, so that each
    /// answer goes to the test that asked.
    func command(_ command: String, awaiting line: String) async throws {
        try await queue.run {
            try self.commands.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
            _ = try await self.line(prefixed: line)
        }
    }

    private let queue = CommandQueue()
}

/// Runs one command exchange at a time.
private actor CommandQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ body: @Sendable () async throws -> Void) async throws {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        try await body()
    }
}
