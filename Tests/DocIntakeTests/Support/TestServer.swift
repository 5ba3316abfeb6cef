import Antivirus
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage

@testable import DocIntake

/// A real DocIntake server on an ephemeral loopback port with its own data directory; or, with
/// `DOCINTAKE_TEST_CLUSTER=N` (see `TestCluster`), N servers on one PostgreSQL database and one
/// bucket behind nginx, whose port this then is.
struct TestServer: Sendable {
    let port: Int
    /// The metrics listener's port (a free one of its own; the first server's in a cluster, which
    /// shows every server's counters, since they run in one process with one registry).
    let metricsPort: Int
    /// The first server's data directory; its pepper and outbox are every server's.
    let dataDirectory: String
    /// Every server's data directory, `dataDirectory` first: each stages its own uploads.
    var nodeDirectories: [String] = []
    /// nginx, balancing over the servers, in a cluster.
    var balancer: NginxProxy?
    /// The first server's own port: `port` itself, except in a cluster, where `port` is nginx's.
    /// For what only DocIntake's own socket shows: nginx answers `Expect: 100-continue` itself, and
    /// reads and discards the rest of a body DocIntake refused early rather than cutting the
    /// client off (docs/scale-out.md).
    var directPort: Int
    /// Every server's own port, in the order of `nodeDirectories` (the balancer's upstreams).
    var nodePorts: [Int] = []
    var directBaseURL: String { "http://127.0.0.1:\(directPort)" }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var metricsURL: String { "http://127.0.0.1:\(metricsPort)/metrics" }

    /// Runs `body` against a fresh server, then shuts it down and removes its data.
    /// swift-metrics, bootstrapped once per process with the registry `GET /metrics` renders, as
    /// `docintake serve` does: the library leaves that to the executable.
    static let metrics: Void = MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: Observability.registry))

    static func with<T: Sendable>(
        maxFileSize: Int64 = DomainFacts.defaultMaxFileSize, dataDirectory: String? = nil,
        retentionInterval: Duration? = nil, retentionPolicy: RetentionPolicy = RetentionPolicy(),
        notices: NoticeConfiguration = NoticeConfiguration(), connectionLimits: ConnectionLimits = ConnectionLimits(),
        blobFaults: FileSystemFaults = .none, metadataFaults: MetadataFaults = .none, antivirus: ClamdClient? = nil,
        rescanInterval: Duration? = nil, uploadLifetime: Duration? = nil, secretHashRounds: Int = 210_000, pepperFile: String? = nil,
        database: String? = nil,
        blobStore: (location: BlobStoreLocation, environment: [String: String])? = nil,
        _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        Self.metrics
        let directory = dataDirectory ?? NSTemporaryDirectory() + "docintake-e2e-" + UUID().uuidString
        let nodes = TestCluster.nodeDirectories(of: directory)
        defer { if dataDirectory == nil { for node in nodes { try? FileManager.default.removeItem(atPath: node) } } }
        var logger = Logger(label: "docintake-test")
        logger.logLevel = .warning
        // (node, port): the servers report in whatever order they start.
        let (ports, continuation) = AsyncStream.makeStream(of: (Int, Int).self)
        let (metricsPorts, metricsContinuation) = AsyncStream.makeStream(of: (Int, Int).self)
        var configuration = ServerConfiguration(
            dataDirectory: directory, port: 0, maxFileSize: maxFileSize, secretHashRounds: secretHashRounds,
            retentionInterval: retentionInterval, retentionPolicy: retentionPolicy, notices: notices)
        configuration.connectionLimits = connectionLimits
        configuration.antivirus = antivirus
        configuration.rescanInterval = rescanInterval
        if let uploadLifetime { configuration.uploadLifetime = uploadLifetime }
        configuration.pepperFile = pepperFile
        configuration.metricsAddress = ListenAddress(host: "127.0.0.1", port: 0)
        if let database { TestBackend.register(database, for: directory) }
        if let blobStore { TestBackend.register(blobStore.location, environment: blobStore.environment, for: directory) }
        configuration.database = try await TestBackend.database(for: directory)
        configuration.blobStore = try await TestBackend.blobStore(for: directory)
        if nodes.count > 1 { try await TestCluster.share(directory, with: nodes.dropFirst(), configuration: &configuration) }
        var opened: [Stores] = []
        do {
            var applications: [any Service] = []
            for (index, node) in nodes.enumerated() {
                var nodeConfiguration = configuration
                nodeConfiguration.dataDirectory = node
                let stores =
                    if configuration.database == nil, configuration.blobStore == nil {
                        try Stores(dataDirectory: node, blobFaults: blobFaults, metadataFaults: metadataFaults)
                    } else {
                        try await Stores.open(
                            dataDirectory: node, database: configuration.database, blobStore: configuration.blobStore,
                            blobFaults: blobFaults, environment: TestBackend.environment(for: directory))
                    }
                opened.append(stores)
                applications.append(
                    try await DocIntakeServer.makeApplication(
                        nodeConfiguration, stores: stores, logger: logger,
                        onServerRunning: { continuation.yield((index, $0)) }, onMetricsRunning: { metricsContinuation.yield((index, $0)) }))
            }
            let group = ServiceGroup(configuration: .init(services: applications, logger: logger))
            let result = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    // A server that fails to start must not leave the test waiting for its port.
                    defer {
                        continuation.finish()
                        metricsContinuation.finish()
                    }
                    try await group.run()
                }
                var nodePorts = [Int](repeating: 0, count: nodes.count)
                var metricsPortsSeen = [Int](repeating: 0, count: nodes.count)
                var iterator = ports.makeAsyncIterator()
                var metricsIterator = metricsPorts.makeAsyncIterator()
                while nodePorts.contains(0), let (index, port) = await iterator.next() { nodePorts[index] = port }
                while metricsPortsSeen.contains(0), let (index, port) = await metricsIterator.next() { metricsPortsSeen[index] = port }
                guard !nodePorts.contains(0), !metricsPortsSeen.contains(0) else {
                    throw TestFailure("server did not start")
                }
                do {
                    let balancer = nodes.count > 1 ? try NginxProxy(upstreamPorts: nodePorts) : nil
                    let server = TestServer(
                        port: balancer?.port ?? nodePorts[0], metricsPort: metricsPortsSeen[0], dataDirectory: directory, nodeDirectories: nodes,
                        balancer: balancer, directPort: nodePorts[0], nodePorts: nodePorts)
                    let result = try await body(server)
                    balancer?.stop()
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    return result
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    throw error
                }
            }
            for stores in opened { await stores.close() }
            for node in nodes { await TestBackend.release(node) }
            return result
        } catch {
            for stores in opened { await stores.close() }
            for node in nodes { await TestBackend.release(node) }
            throw error
        }
    }

    /// Submits a valid 職域診療所 application with two real documents, as curl would.
    func submitWorkplaceClinic() async throws -> Curl.Result {
        try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                baseURL + "/api/v1/applications",
            ])
    }

    /// Files in the staging directory: any left after a request is a leak. Throws when the
    /// directory is missing, so that staging moved elsewhere cannot read as clean.
    func tempFiles() throws -> [String] {
        try nodeDirectories.flatMap { try StoreAudit.tempFiles($0) }
    }

    /// A hasher with the server's pepper (its default file), to check the 秘密の番号 hashes it stored.
    func secretHasher() throws -> SecretHasher {
        SecretHasher(pepper: try Pepper.load(path: dataDirectory + "/pepper", create: false))
    }

    /// The stores, opened beside the server as an operator's tool would.
    func stores() async throws -> Stores { try await TestBackend.stores(dataDirectory) }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension NoticeConfiguration {
    /// A server that leaves its notices to the deliverers a test runs itself.
    static var noDeliveryInServer: NoticeConfiguration {
        var configuration = NoticeConfiguration()
        configuration.deliversInServer = false
        return configuration
    }
}
