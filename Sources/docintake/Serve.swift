import ArgumentParser
import DocIntake
import Foundation
import Glibc
import Hummingbird
import Logging
import Metrics
import Prometheus
import Scanner
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service on SQLite and a local blob directory.")

    @Option(help: ArgumentHelp("Data directory (SQLite file, blobs, temp files).", discussion: "Env: DOCINTAKE_DATA_DIR"))
    var dataDir: String = Environment.value("DOCINTAKE_DATA_DIR") ?? "./data"

    @Option(
        help: ArgumentHelp(
            "The pepper file: 32 secret bytes mixed into every 秘密の番号 hash (default <data>/pepper, created on first start). "
                + "Env: DOCINTAKE_PEPPER_FILE",
            discussion: "Every server sharing the database needs the same file, mode 0600. Back it up apart from the database."))
    var pepperFile: String?

    @Option(help: "Address to listen on. Env: DOCINTAKE_HOST")
    var host: String = Environment.value("DOCINTAKE_HOST") ?? "127.0.0.1"

    @Option(help: "Port; 0 picks a free one and logs it. Env: DOCINTAKE_PORT")
    var port: Int = Environment.value("DOCINTAKE_PORT").flatMap { Int($0) } ?? 8080

    @Option(help: "Largest accepted document in bytes (default 100 MiB). Env: DOCINTAKE_MAX_FILE_SIZE")
    var maxFileSize: Int64 = Environment.value("DOCINTAKE_MAX_FILE_SIZE").flatMap { Int64($0) } ?? DomainFacts.defaultMaxFileSize

    @Option(help: "Widest or tallest PNG accepted, in pixels (default 20000: an A3 scan at 600 dpi fits). Env: DOCINTAKE_MAX_IMAGE_SIDE")
    var maxImageSide: Int = Environment.value("DOCINTAKE_MAX_IMAGE_SIDE").flatMap { Int($0) } ?? ScanLimits().maxImageSide

    @Option(help: "Most pixels (width × height) a PNG may have (default 100000000). Env: DOCINTAKE_MAX_IMAGE_PIXELS")
    var maxImagePixels: Int = Environment.value("DOCINTAKE_MAX_IMAGE_PIXELS").flatMap { Int($0) } ?? ScanLimits().maxImagePixels

    @Option(help: "Log level: trace, debug, info, notice, warning, error. Env: LOG_LEVEL")
    var logLevel: String = Environment.value("LOG_LEVEL") ?? "info"

    @Option(
        help: ArgumentHelp(
            "Run the retention job inside the server at this interval, e.g. 24h (off by default). Env: DOCINTAKE_RETENTION_INTERVAL",
            discussion: "Units: s, m, h, d."))
    var retentionInterval: String?

    @Option(
        help: ArgumentHelp(
            "With --clamd, scan the stored documents of undecided applications again at this interval, e.g. 6h (off by default). "
                + "Env: DOCINTAKE_RESCAN_INTERVAL",
            discussion: "One rescan runs at a time across every server sharing the database. Units: s, m, h, d."))
    var rescanInterval: String?

    @Option(
        help: ArgumentHelp(
            "How long a resumable upload (/api/v1/uploads) lives after its creation, e.g. 24h. Env: DOCINTAKE_UPLOAD_EXPIRY",
            discussion: "Incomplete uploads and complete ones never used are deleted after it; checked every 10 minutes. Units: s, m, h, d."))
    var uploadExpiry: String = Environment.value("DOCINTAKE_UPLOAD_EXPIRY") ?? "24h"

    @Option(
        help: ArgumentHelp(
            "Where GET /metrics is served, host:port, a listener of its own; none turns it off. Env: DOCINTAKE_METRICS_ADDRESS",
            discussion: "The public port does not answer /metrics. Port 0 picks a free one and logs it."))
    var metricsAddress: String = Environment.value("DOCINTAKE_METRICS_ADDRESS") ?? "127.0.0.1:9464"

    @Option(help: "Log format: text, or json (one object per line, for log shippers). Env: DOCINTAKE_LOG_FORMAT")
    var logFormat: String = Environment.value("DOCINTAKE_LOG_FORMAT") ?? "text"

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "The address of a reverse proxy whose X-Forwarded-For names the client (repeatable). Env: DOCINTAKE_TRUSTED_PROXIES (comma-separated)",
            discussion: "From any other peer X-Forwarded-For is ignored: anyone can send one."))
    var trustedProxies: [String] =
        Environment.value("DOCINTAKE_TRUSTED_PROXIES").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } ?? []

    /// The flag, else the environment: an optional option cannot take the environment as its default.
    private var retentionIntervalText: String? {
        retentionInterval ?? Environment.value("DOCINTAKE_RETENTION_INTERVAL")
    }

    private var pepperFileText: String? {
        pepperFile ?? Environment.value("DOCINTAKE_PEPPER_FILE")
    }

    private var rescanIntervalText: String? {
        rescanInterval ?? Environment.value("DOCINTAKE_RESCAN_INTERVAL")
    }

    @OptionGroup(title: "Metadata database") var database: DatabaseOption
    @OptionGroup(title: "Document store") var blobStore: BlobStoreOption
    @OptionGroup(title: "Notices (emails)") var mail: MailOptions
    @Flag(
        inversion: .prefixedNo,
        help: "Deliver notices from this server (--no-notice-delivery leaves them to other servers and to `docintake notices --deliver`).")
    var noticeDelivery = true

    @OptionGroup(title: "Retention rules (with --retention-interval)") var retention: RetentionPolicyOptions

    @OptionGroup(title: "Slow and abusive clients") var connection: ConnectionOptions

    @OptionGroup(title: "Virus scan") var antivirus: AntivirusOptions

    func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
        guard maxImageSide > 0 else { throw ValidationError("--max-image-side must be positive") }
        guard maxImagePixels > 0 else { throw ValidationError("--max-image-pixels must be positive") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        if let retentionInterval = retentionIntervalText, DurationText.parse(retentionInterval) == nil {
            throw ValidationError("--retention-interval: not a duration such as 24h: \(retentionInterval)")
        }
        if let rescanInterval = rescanIntervalText {
            guard let interval = DurationText.parse(rescanInterval), interval > .zero else {
                throw ValidationError("--rescan-interval: not a duration such as 6h: \(rescanInterval)")
            }
            guard try antivirus.client() != nil else { throw ValidationError("--rescan-interval needs --clamd") }
        }
        guard let expiry = DurationText.parse(uploadExpiry), expiry > .zero else {
            throw ValidationError("--upload-expiry: not a duration such as 24h: \(uploadExpiry)")
        }
        _ = try connection.limits()
        guard metricsAddress == "none" || ListenAddress(parsing: metricsAddress) != nil else {
            throw ValidationError("--metrics-address: not host:port or none: \(metricsAddress)")
        }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format: text or json, not \(logFormat)") }
        // The peer address is compared as text: a host name here would never match, silently.
        for proxy in trustedProxies where !Self.isIPAddress(proxy) {
            throw ValidationError("--trusted-proxy: an IP address such as 127.0.0.1, not \(proxy)")
        }
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: Observability.registry))
        var logger = Logger(label: "docintake")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = ServerConfiguration(
            dataDirectory: dataDir, host: host, port: port, maxFileSize: maxFileSize,
            retentionInterval: retentionIntervalText.flatMap(DurationText.parse), retentionPolicy: retention.policy,
            notices: mail.configuration)
        configuration.notices.deliversInServer = noticeDelivery
        configuration.connectionLimits = try connection.limits()
        configuration.scanLimits.maxImageSide = maxImageSide
        configuration.scanLimits.maxImagePixels = maxImagePixels
        configuration.antivirus = try antivirus.client()
        configuration.rescanInterval = rescanIntervalText.flatMap(DurationText.parse)
        configuration.metricsAddress = ListenAddress(parsing: metricsAddress)
        configuration.trustedProxies = trustedProxies
        if let expiry = DurationText.parse(uploadExpiry) { configuration.uploadLifetime = expiry }
        configuration.pepperFile = pepperFileText
        configuration.database = try database.url()
        configuration.blobStore = try blobStore.location()
        let stores = try await Stores.open(
            dataDirectory: dataDir, database: configuration.database, blobStore: configuration.blobStore, logger: logger)
        do {
            let app = try await DocIntakeServer.makeApplication(configuration, stores: stores, logger: logger)
            var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // deploy/docintake.service gives a stop 60 s before its SIGKILL. Requests still running
            // after 40 s are cancelled (an upload cut so leaves nothing behind); a service that
            // ignores even cancellation for 10 s more ends the process with a fatal error, which
            // names itself in the log, rather than leaving a server that never stops.
            group.maximumGracefulShutdownDuration = .seconds(40)
            group.maximumCancellationDuration = .seconds(10)
            try await ServiceGroup(configuration: group).run()
        } catch {
            await stores.close()
            throw error
        }
        await stores.close()
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        Hummingbird.Environment().get(name)
    }
}
