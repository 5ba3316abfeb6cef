import Foundation
import Glibc
import Logging
import PostgresTestSupport
import S3TestSupport
import Storage
import Synchronization

@testable import DocIntake

/// The scale-out topology for fault tests: several real `docintake serve` processes sharing one
/// PostgreSQL database (a cluster of the test's own, which it may stop) and one bucket (on a moto
/// of its own, which it may SIGSTOP), each with its own data directory and the same pepper file,
/// behind Debian's nginx with deploy/nginx.conf. Each server keeps its port across restarts, so
/// that a killed one comes back where nginx expects it. `shutdown()` stops everything.
final class ServerCluster: @unchecked Sendable {
    let postgres: PostgresCluster
    let moto: MotoServer
    let databaseURL: String
    let blobStore: BlobStoreLocation
    let directory: String
    let ports: [Int]
    private(set) var servers: [ServerProcess?]
    private(set) var nginx: NginxProxy?
    /// The log of every server process that has ended (killed or stopped), by slot.
    private(set) var pastLogs: [[String]]
    private var testStores: Stores?

    var pepperPath: String { directory + "/pepper" }
    func dataDirectory(_ slot: Int) -> String { directory + "/server-\(slot)" }
    /// A directory of the test's own, for its stores and an operator's commands (never a server's).
    var operatorDirectory: String { directory + "/operator" }
    var baseURL: String { nginx?.baseURL ?? "" }

    /// Starts PostgreSQL, moto, `count` servers one after the other (the first migrates), then nginx.
    static func start(servers count: Int) async throws -> ServerCluster {
        let postgres = try await PostgresCluster.launch()
        let moto: MotoServer
        do {
            moto = try await MotoServer.launch()
        } catch {
            await postgres.shutdown()
            throw error
        }
        let cluster: ServerCluster
        do {
            let databaseURL = try await postgres.freshDatabaseURL()
            let bucket = try await moto.freshBucket().bucket
            cluster = try ServerCluster(
                postgres: postgres, moto: moto, databaseURL: databaseURL,
                blobStore: try BlobStoreLocation("s3://\(bucket)/docintake", pathStyle: true),
                ports: try (0..<count).map { _ in try Loopback.freePort() })
        } catch {
            await moto.shutdown()
            await postgres.shutdown()
            throw error
        }
        do {
            for slot in 0..<count { try await cluster.restart(slot) }
            let ports = cluster.ports
            cluster.nginx = try await offPool { try NginxProxy(upstreamPorts: ports) }
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }

    private init(postgres: PostgresCluster, moto: MotoServer, databaseURL: String, blobStore: BlobStoreLocation, ports: [Int]) throws {
        self.postgres = postgres
        self.moto = moto
        self.databaseURL = databaseURL
        self.blobStore = blobStore
        self.ports = ports
        directory = NSTemporaryDirectory() + "docintake-cluster-" + UUID().uuidString
        servers = Array(repeating: nil, count: ports.count)
        pastLogs = Array(repeating: [], count: ports.count)
        for path in [directory, operatorDirectory] + ports.indices.map(dataDirectory) {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        // One pepper for all: an access token or 秘密の番号 hashed by one server is checked by another.
        guard
            FileManager.default.createFile(
                atPath: pepperPath, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }), attributes: [.posixPermissions: 0o600])
        else { throw TestFailure("cannot write \(pepperPath)") }
    }

    /// `--database`, `--blob-store` and the pepper, as every server and operator's command gets them.
    var sharedArguments: [String] {
        ["--database", databaseURL, "--blob-store", blobStore.description, "--s3-path-style", "--pepper-file", pepperPath]
    }

    /// (Re)starts the server of `slot` on its port and data directory; returns when it listens.
    func restart(_ slot: Int) async throws {
        let (arguments, directory) = (sharedArguments, dataDirectory(slot))
        let environment = moto.environment.merging(["DOCINTAKE_PORT": "\(ports[slot])"]) { $1 }
        servers[slot] = try await ServerProcess(arguments: arguments, dataDirectory: directory, environment: environment)
    }

    /// SIGKILL: no shutdown, no cleanup, as a crash or the OOM killer ends it. Keeps its log.
    func kill(_ slot: Int) async throws {
        guard let server = servers[slot] else { return }
        if server.process.isRunning { Glibc.kill(server.process.processIdentifier, SIGKILL) }
        try await offPool { server.process.waitUntilExit() }
        pastLogs[slot].append((try? server.log()) ?? "")
        servers[slot] = nil
    }

    /// SIGTERM to every server, as systemd stops one; SIGKILL for any still running after `grace`.
    /// Returns the slots that had to be killed.
    func stopAll(grace: Duration) async throws -> [Int] {
        var stubborn: [Int] = []
        for slot in ports.indices {
            guard let server = servers[slot] else { continue }
            server.process.terminate()
            let deadline = ContinuousClock.now + grace
            while server.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            if server.process.isRunning { stubborn.append(slot) }
            try await kill(slot)
        }
        return stubborn
    }

    /// Every log line of `slot`'s servers so far, the running one's last.
    func logs(_ slot: Int) -> [String] {
        pastLogs[slot] + [servers[slot].flatMap { try? $0.log() } ?? ""]
    }

    /// The stores as an operator's tool opens them (the shared database and bucket), opened once.
    func stores() async throws -> Stores {
        if let testStores { return testStores }
        // Quiet: its pool's failed reconnections while PostgreSQL is down are expected.
        var logger = Logger(label: "docintake.tests.cluster")
        logger.logLevel = .error
        let stores = try await Stores.open(
            dataDirectory: operatorDirectory, database: try DatabaseURL(databaseURL), blobStore: blobStore, environment: moto.environment,
            logger: logger)
        testStores = stores
        return stores
    }

    /// The operator's `docintake` with the shared stores, on the operator's directory.
    func operatorCommand(_ arguments: [String]) async throws -> Program.Result {
        try await Program.run(
            ServerProcess.binary, arguments + ["--data-dir", operatorDirectory] + sharedArguments.dropLast(2), environment: moto.environment)
    }

    /// Closes the test's own stores, waiting at most `limit`; false when the close had not returned
    /// by then (it is left running, and `shutdown()` goes on without it).
    func closeStores(within limit: Duration) async throws -> Bool {
        guard let stores = testStores else { return true }
        testStores = nil
        let closed = Mutex(false)
        Task {
            await stores.close()
            closed.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + limit
        while !closed.withLock({ $0 }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        return closed.withLock { $0 }
    }

    /// Freezes moto (SIGSTOP from here, as `MotoServer.pause()` has its script do): connections are
    /// still accepted by the kernel, nothing answers.
    func freezeObjectStore() { Glibc.kill(moto.pid, SIGSTOP) }

    /// Resumes the frozen moto (SIGCONT), its objects intact.
    func thawObjectStore() { Glibc.kill(moto.pid, SIGCONT) }

    /// Stops everything. With `DOCINTAKE_CLUSTER_LOGS=DIR`, the servers' and nginx's logs are copied
    /// there first, for a failure to be read afterwards.
    func shutdown() async {
        nginx?.stop()
        for server in servers { server?.stop() }
        if let keep = ProcessInfo.processInfo.environment["DOCINTAKE_CLUSTER_LOGS"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for slot in ports.indices {
                try? logs(slot).joined(separator: "\n=== restarted ===\n").write(
                    toFile: keep + "/server-\(slot).log", atomically: true, encoding: .utf8)
            }
            try? nginx?.accessLog().map(\.description).joined(separator: "\n").write(
                toFile: keep + "/nginx-access.log", atomically: true, encoding: .utf8)
            try? nginx?.errorLog().write(toFile: keep + "/nginx-error.log", atomically: true, encoding: .utf8)
        }
        _ = try? await closeStores(within: .seconds(20))
        await moto.shutdown()
        await postgres.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
