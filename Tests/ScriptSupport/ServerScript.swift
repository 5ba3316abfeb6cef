import Foundation

/// Why a server script could not be used.
public struct ServerScriptError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A server script of Tests/Support (postgres-cluster.sh, moto-server.sh) while it runs, and the lines it
/// has printed: `key=value` facts, then answers to the commands it reads on stdin. Its output is read on a
/// thread of its own, never on the cooperative pool (two threads here), which a blocking read would starve.
/// The script stops its server when its stdin ends, so when this process dies, whatever the way.
public final class ServerScript: @unchecked Sendable {
    private let process: Process
    /// The script's stdin: commands, and its end when this process exits.
    private let commands = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var consumed = 0
    private var ended = false

    private let name: String

    private init(process: Process, name: String) {
        self.process = process
        self.name = name
    }

    /// Starts `Tests/Support/<name>` with this process's pid as its argument.
    public static func launch(_ name: String) throws -> ServerScript {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/" + name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path, String(getpid())]
        let output = Pipe()
        process.standardOutput = output
        // Not the test process's own output: swift test waits until every holder of it has closed it.
        process.standardError = FileHandle.nullDevice
        let script = ServerScript(process: process, name: name)
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
    public func line(prefixed prefix: String, within seconds: Double = 120) async throws -> String {
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
                throw ServerScriptError("\(name) ended before printing \(prefix)\n\(errors)")
            case .none: try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw ServerScriptError("\(name) printed no \(prefix) within \(seconds) s")
    }

    /// Asks the script to stop its server and waits until it has.
    public func terminate() async {
        try? commands.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Sends a command and waits for its answer. Commands of concurrent tests are serialised, so that each
    /// answer goes to the test that asked.
    public func command(_ command: String, awaiting line: String) async throws {
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
