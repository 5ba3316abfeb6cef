import Foundation
import Hummingbird
import Logging
import NIOCore
import Scanner
import Storage

/// Composes the service on its embedded default (SQLite + a local blob directory) and serves it.
public enum DocIntakeServer {
    /// Opens the stores under the data directory (migrating the schema forward, refusing one a
    /// newer version wrote), sweeps temp files left by a crash, reads the pepper file (creating
    /// `<data>/pepper` when no other file is configured), and builds the HTTP application, with
    /// the periodic retention job when configured.
    ///
    /// - Parameters:
    ///   - configuration: The data directory, listeners, limits and periodic jobs.
    ///   - stores: Used instead of opening the data directory's own (they must be under
    ///     `configuration.dataDirectory`), e.g. with `FileSystemFaults` injected.
    ///   - logger: The server's logger; requests log through it.
    ///   - onServerRunning: Receives the bound public port.
    ///   - onMetricsRunning: Receives the metrics listener's port.
    /// - Returns: The application, to run as a service. `/metrics` shows the counters once the
    ///   executable has bootstrapped swift-metrics with `Observability.registry`.
    public static func makeApplication(
        _ configuration: ServerConfiguration, stores: Stores? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onMetricsRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let stores =
            if let stores { stores } else {
                try await Stores.open(
                    dataDirectory: configuration.dataDirectory, database: configuration.database, blobStore: configuration.blobStore,
                    logger: logger)
            }
        // A data directory (its staging and its blob files) is one server's, whichever database holds
        // the metadata: servers sharing a PostgreSQL database each have their own (docs/scale-out.md).
        let lock = try DataDirectoryLock(dataDirectory: configuration.dataDirectory)
        // Nothing is in flight before the server starts (the lock makes sure no other server
        // shares the directory), so every temp file is a crash's leftover.
        let swept = try stores.blobs.sweepStaging(olderThan: 0)
        if !swept.isEmpty { logger.notice("removed temp files left by an earlier run", metadata: ["count": "\(swept.count)"]) }

        // A server that cannot hash the 秘密の番号 as its peers do must not start at all.
        let pepper = try Pepper.load(
            path: configuration.pepperFile ?? configuration.dataDirectory + "/pepper", create: configuration.pepperFile == nil)
        var intake = IntakeService(
            blobs: stores.blobs, metadata: stores.metadata, scanner: DocumentScanner(limits: configuration.scanLimits),
            limits: IntakeLimits(maxFileSize: configuration.maxFileSize),
            secretHasher: SecretHasher(pepper: pepper, rounds: configuration.secretHashRounds), antivirus: configuration.antivirus)
        if let antivirus = configuration.antivirus {
            logger.notice("every document is scanned by clamd", metadata: ["clamd": .string(antivirus.endpoint.description)])
        } else {
            logger.warning("no virus scan: documents are stored without an antivirus check (set --clamd)")
        }
        await BlobStoreMetrics.update(from: stores.metadata)

        // HEAD is answered wherever GET is (RFC 9110 §9.3.2), with GET's headers and no body.
        let base = Router(context: DocIntakeRequestContext.self, options: .autoGenerateHeadEndpoints)
        let routes = RouteTable()
        let router = RecordingRouter(base: base, table: routes)
        router.add(middleware: RequestLogMiddleware(trustedProxies: Set(configuration.trustedProxies)))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: BrowserConnectionMiddleware())
        router.add(middleware: UnroutedRequestMiddleware(table: routes))
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        // One cap on uploads in flight, whether multipart or a resumable upload's request.
        let uploadGate = UploadGate(limit: configuration.connectionLimits.maxConcurrentUploads)
        let resumable = UploadService(
            metadata: stores.metadata, staging: try UploadStaging(directory: configuration.dataDirectory + "/tmp"),
            segments: (stores.blobs as? S3BlobStore).map(S3UploadSegments.init(store:)), scanner: intake.scanner, antivirus: configuration.antivirus,
            limits: intake.limits,
            lifetime: configuration.uploadLifetime.timeInterval)
        intake.resumable = resumable
        ApplicantRoutes(intake: intake, uploads: uploadGate).register(on: router)
        UploadRoutes(service: resumable, uploads: uploadGate).register(on: router)
        AccessLinkRoutes(
            service: AccessLinkService(metadata: stores.metadata, limiter: AccessLinkLimiter(), clock: { .now }),
            trustedProxies: Set(configuration.trustedProxies)
        )
        .register(on: router)
        ReviewRoutes(review: ReviewService(blobs: stores.blobs, metadata: stores.metadata)).register(on: router)
        ReadinessRoutes(metadata: stores.metadata, blobs: stores.blobs, antivirus: configuration.antivirus).register(on: router)
        WebRoutes(assets: try WebAssets(maxFileSize: configuration.maxFileSize)).register(on: router)

        let maxRequestBytes = intake.limits.maxRequestBytes
        var application = Application(
            router: base,
            server: GuardedHTTP1Channel.server(limits: configuration.connectionLimits, maxRequestBytes: maxRequestBytes, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "DocIntake"),
            onServerRunning: { channel in
                withExtendedLifetime(lock) {}
                let port = channel.localAddress?.port ?? configuration.port
                logger.notice(
                    "DocIntake listening",
                    metadata: [
                        "host": .string(configuration.host), "port": .stringConvertible(port),
                        "data_dir": .string(configuration.dataDirectory),
                        // The password never: DatabaseURL's description is redacted.
                        "metadata": .string(configuration.database.map { "postgresql \($0)" } ?? "sqlite in data_dir"),
                        "blobs": .string(configuration.blobStore.map(\.description) ?? "blobs/ in data_dir"),
                    ])
                await onServerRunning(port)
            },
            logger: logger)
        if let interval = configuration.retentionInterval {
            let job = RetentionJob(
                blobs: stores.blobs, metadata: stores.metadata, policy: configuration.retentionPolicy,
                outboxDirectory: configuration.dataDirectory + "/outbox")
            application.addServices(
                PeriodicJobService.retention(
                    job, interval: interval, identity: .system(OperatorIdentity.currentUser()), logger: logger))
            logger.notice("retention runs inside the server", metadata: ["interval": "\(interval)"])
        }
        application.addServices(PeriodicJobService.uploadSweep(resumable, interval: configuration.uploadSweepInterval, logger: logger))
        if let interval = configuration.rescanInterval, let clamd = configuration.antivirus {
            let job = RescanJob(blobs: stores.blobs, metadata: stores.metadata, clamd: clamd)
            application.addServices(
                PeriodicJobService.rescan(
                    job, interval: interval, identity: .system(OperatorIdentity.currentUser()), logger: logger))
            logger.notice("stored documents are rescanned inside the server", metadata: ["interval": "\(interval)"])
        }
        if let address = configuration.metricsAddress {
            application.addServices(metricsApplication(address, metadata: stores.metadata, logger: logger, onRunning: onMetricsRunning))
        }
        if configuration.notices.deliversInServer {
            application.addServices(
                try NoticeDeliverer(
                    metadata: stores.metadata, dataDirectory: configuration.dataDirectory, configuration: configuration.notices, logger: logger))
            logger.notice(
                "notices are delivered",
                metadata: [
                    "transport": .string(configuration.notices.sendmailPath.map { "sendmail \($0)" } ?? "files in <data>/outbox")
                ])
        } else {
            logger.notice("notices are left to other servers and to docintake notices --deliver")
        }
        return application
    }
}

extension DocIntakeServer {
    /// `GET /metrics` on a listener of its own (the public port does not answer it).
    static func metricsApplication(
        _ address: ListenAddress, metadata: any MetadataStore, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let registry = Observability.registry
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.get("metrics") { _, _ in
            // The last retention and scrub results, and the blobs a retention run in another
            // process deleted, are only in the database.
            await JobRunMetrics.refresh(from: metadata)
            await BlobStoreMetrics.update(from: metadata)
            let exposition = MetricHelp.annotate(String(decoding: registry.emitToBuffer(), as: UTF8.self))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: exposition)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "DocIntake-metrics"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.notice("metrics listening", metadata: ["host": .string(address.host), "metrics_port": .stringConvertible(port)])
                await onRunning(port)
            },
            logger: logger)
    }
}

/// The embedded default stores under one data directory.
public struct Stores: Sendable {
    /// `<data>/blobs` and `<data>/tmp`, or an S3 bucket (staging still in `<data>/tmp`).
    public let blobs: any BlobStore
    /// `<data>/docintake.sqlite`, or the PostgreSQL database.
    public let metadata: any MetadataStore
    private let postgres: PostgresMetadataStore?
    private let s3: S3BlobStore?

    /// `<data>/docintake.sqlite`, `<data>/blobs/`, `<data>/tmp/`; `blobFaults` and
    /// `metadataFaults` are test seams.
    public init(dataDirectory: String, blobFaults: FileSystemFaults = .none, metadataFaults: MetadataFaults = .none) throws {
        blobs = try FileBlobStore(root: dataDirectory, faults: blobFaults)
        metadata = try SQLiteMetadataStore(path: dataDirectory + "/docintake.sqlite", faults: metadataFaults)
        postgres = nil
        s3 = nil
    }

    /// The metadata in `database` (PostgreSQL, migrated forward under an advisory lock), or in the
    /// data directory's SQLite file when `database` is nil; the blobs in `blobStore` (an S3 bucket,
    /// checked with HeadBucket) or in the data directory when it is nil.
    public static func open(
        dataDirectory: String, database: DatabaseURL?, blobStore: BlobStoreLocation? = nil, blobFaults: FileSystemFaults = .none,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "docintake")
    ) async throws -> Stores {
        if database == nil, blobStore == nil { return try Stores(dataDirectory: dataDirectory, blobFaults: blobFaults) }
        var s3: S3BlobStore?
        if let blobStore { s3 = try await blobStore.open(dataDirectory: dataDirectory, environment: environment, logger: logger) }
        do {
            let blobs: any BlobStore = try s3 ?? FileBlobStore(root: dataDirectory, faults: blobFaults)
            var postgres: PostgresMetadataStore?
            if let database { postgres = try await PostgresMetadataStore(url: database, logger: logger) }
            let metadata: any MetadataStore = try postgres ?? SQLiteMetadataStore(path: dataDirectory + "/docintake.sqlite")
            return Stores(blobs: blobs, metadata: metadata, postgres: postgres, s3: s3)
        } catch {
            await s3?.shutdown()
            throw error
        }
    }

    private init(blobs: any BlobStore, metadata: any MetadataStore, postgres: PostgresMetadataStore?, s3: S3BlobStore?) {
        self.blobs = blobs
        self.metadata = metadata
        self.postgres = postgres
        self.s3 = s3
    }

    /// Closes the database's and the object store's connections; nothing to do for the embedded default.
    public func close() async {
        await postgres?.shutdown()
        await s3?.shutdown()
    }
}
