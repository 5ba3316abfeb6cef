import Foundation
import Logging
import PostgresNIO

/// A throwaway PostgreSQL cluster shared by every test of one test process: started on first use by
/// Tests/Support/postgres-cluster.sh (initdb in a temp directory, a free loopback port), and stopped
/// by that script when this process exits, also when it crashes. Each test takes a database of its
/// own from `freshDatabaseURL()`, so tests run in parallel without seeing each other's rows.
public final class PostgresCluster: Sendable {
    /// The superuser's URL, to the `postgres` database.
    public let adminURL: String
    /// The cluster's directory (data, socket, server.log).
    public let directory: String
    private let script: ClusterScript

    private init(adminURL: String, directory: String, script: ClusterScript) {
        self.adminURL = adminURL
        self.directory = directory
        self.script = script
    }

    /// The cluster of this test process, started on first call.
    public static func shared() async throws -> PostgresCluster {
        try await starter.cluster()
    }

    private static let starter = Starter()

    /// Creates an empty database with a unique name and returns its URL
    /// (`postgres://docintake:…@127.0.0.1:PORT/NAME`).
    public func freshDatabaseURL() async throws -> String {
        let name = "docintake_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withConnection(url: adminURL) { connection in
            // A name cannot be a bind parameter; this one is made of [a-z0-9_] above.
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger).collect()
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return components.string!
    }

    /// A cluster of the caller's own, for a test that stops and starts the server (which would
    /// disturb the other tests on the shared one); `shutdown()` it at the end.
    public static func launch() async throws -> PostgresCluster {
        try await start()
    }

    /// Stops the server and removes its directory (the script's trap), waiting until that is done.
    public func shutdown() async {
        await script.terminate()
    }

    /// Stops the server (every connection is dropped) and waits until it is down.
    public func stopServer() async throws {
        try await script.command("stop", awaiting: "stopped")
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    public func startServer() async throws {
        try await script.command("start", awaiting: "started")
    }

    /// Opens one connection of its own to `url` (not pooled) for `body`, closed afterwards: the tests'
    /// second party, which holds a lock or a transaction open while a store works.
    @discardableResult
    public func withConnection<T: Sendable>(url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await Self.connect(url: url)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A connection of its own to `url`; the caller closes it.
    public static func connect(url: String) async throws -> PostgresConnection {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port,
            let user = components.user
        else { throw ClusterError("not a postgres:// URL") }
        let configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    static let logger = Logger(label: "docintake.tests.postgres")

    private actor Starter {
        private var started: Task<PostgresCluster, any Error>?

        func cluster() async throws -> PostgresCluster {
            if let started { return try await started.value }
            let task = Task { try await PostgresCluster.start() }
            started = task
            return try await task.value
        }
    }

    private static func start() async throws -> PostgresCluster {
        let script = try ClusterScript.launch()
        let directory = try await script.line(prefixed: "dir=")
        let url = try await script.line(prefixed: "url=")
        return PostgresCluster(adminURL: url, directory: directory, script: script)
    }
}

/// Creates an empty database in this test process's cluster (started on first use) and returns its URL.
public func freshDatabaseURL() async throws -> String {
    try await PostgresCluster.shared().freshDatabaseURL()
}

/// Why the cluster could not be used.
public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The running postgres-cluster.sh and the lines it has printed so far.
private final class ClusterScript: @unchecked Sendable {
    private let process: Process
    /// The script's stdin: commands, and its end when this process exits.
    private let commands = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var consumed = 0
    private var ended = false

    private init(process: Process) { self.process = process }

    static func launch() throws -> ClusterScript {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/postgres-cluster.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path, String(getpid())]
        let output = Pipe()
        process.standardOutput = output
        // Not the test process's own output: swift test waits until every holder of it has closed it.
        process.standardError = FileHandle.nullDevice
        let script = ClusterScript(process: process)
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
                throw ClusterError("postgres-cluster.sh ended before printing \(prefix)\n\(errors)")
            case .none: try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw ClusterError("postgres-cluster.sh printed no \(prefix) within \(seconds) s")
    }

    func terminate() async {
        try? commands.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    func command(_ command: String, awaiting line: String) async throws {
        try commands.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
        _ = try await self.line(prefixed: line)
    }
}
