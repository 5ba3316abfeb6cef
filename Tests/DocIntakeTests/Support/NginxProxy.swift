import Foundation

/// Debian's nginx in front of one DocIntake server or several, configured with `deploy/nginx.conf`
/// itself: the lines marked `# TLS` give way to a plain loopback listener, and the upstream holds
/// the servers' ports (round robin, nginx's default). Everything nginx writes stays in a temp
/// directory, removed on `stop()`; its access log names the upstream that answered each request.
final class NginxProxy: @unchecked Sendable {
    static let binary = "/usr/sbin/nginx"
    let process = Process()
    let directory: String
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static var shippedConfiguration: String {
        get throws {
            var url = URL(fileURLWithPath: #filePath)
            for _ in 0..<4 { url.deleteLastPathComponent() }
            return try String(contentsOf: url.appendingPathComponent("deploy/nginx.conf"), encoding: .utf8)
        }
    }

    /// The shipped file for a test: no `# TLS` line, a loopback listener, the given upstreams.
    static func testConfiguration(_ shipped: String, listenPort: Int, upstreamPorts: [Int]) throws -> String {
        var lines: [String] = []
        for line in shipped.components(separatedBy: "\n") where !line.contains("# TLS") {
            lines.append(line)
            if line == "server {" { lines.append("    listen 127.0.0.1:\(listenPort);") }
        }
        let configuration = lines.joined(separator: "\n")
        let shippedServer = "server 127.0.0.1:8080 max_fails=1 fail_timeout=3s;"
        guard configuration.contains(shippedServer), configuration.contains("listen 127.0.0.1:\(listenPort);") else {
            throw TestFailure("deploy/nginx.conf no longer has the upstream or server block the test derives from")
        }
        let servers = upstreamPorts.map { "server 127.0.0.1:\($0) max_fails=1 fail_timeout=3s;" }.joined(separator: "\n    ")
        return configuration.replacingOccurrences(of: shippedServer, with: servers)
    }

    convenience init(upstreamPort: Int) throws { try self.init(upstreamPorts: [upstreamPort]) }

    init(upstreamPorts: [Int]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw TestFailure("\(Self.binary) is missing: install Debian's nginx (.ci/run does)")
        }
        directory = NSTemporaryDirectory() + "docintake-nginx-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Loopback.freePort()
        try Self.testConfiguration(try Self.shippedConfiguration, listenPort: port, upstreamPorts: upstreamPorts)
            .write(toFile: directory + "/docintake.conf", atomically: true, encoding: .utf8)
        let main = """
            daemon off;
            master_process off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log info;
            events { worker_connections 64; }
            http {
                log_format upstreams '$request_method|$request_uri|$status|$upstream_addr|$upstream_status';
                access_log \(directory)/access.log upstreams;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                include \(directory)/docintake.conf;
            }
            """
        try main.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try ParentWatch.start(process, directory: directory)
        for _ in 0..<100 {
            if Loopback.accepts(port) { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? errorLog()) ?? ""
        stop()
        throw TestFailure("nginx did not start: \(log)")
    }

    func errorLog() throws -> String { try String(contentsOfFile: directory + "/error.log", encoding: .utf8) }

    /// A request as nginx's access log has it.
    struct Request: CustomStringConvertible {
        let method: String
        let uri: String
        /// What the client got: nginx's own 503 where no server answered (deploy/nginx.conf).
        let status: Int
        /// The servers nginx tried, in order (`ADDR:PORT`); the upstream group's name when none was left to try.
        let upstreams: [String]
        /// What each of them answered: a status, or 502/504 where it failed before answering.
        let upstreamStatuses: [String]
        var description: String { "\(method) \(uri) \(status) \(upstreams.joined(separator: ", ")) \(upstreamStatuses.joined(separator: ", "))" }
    }

    /// Every request so far, in order.
    func accessLog() throws -> [Request] {
        try String(contentsOfFile: directory + "/access.log", encoding: .utf8).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let status = Int(fields[2]) else { return nil }
            let list = { (text: String) in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return Request(method: fields[0], uri: fields[1], status: status, upstreams: list(fields[3]), upstreamStatuses: list(fields[4]))
        }
    }

    /// SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM, and
    /// nginx without its master process never unblocks it. Nothing of nginx's needs keeping.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
