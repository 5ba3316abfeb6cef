import Foundation
import S3
import ScriptSupport

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
    private let script: ServerScript

    private init(endpoint: URL, region: String, credentials: S3Credentials, pid: Int32, directory: String, script: ServerScript) {
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
        let script = try ServerScript.launch("moto-server.sh")
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
