import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One exchange over a plain TCP socket, for requests curl will not send (no `Host`, two of
/// them, HTTP/1.0 framing): the bytes go out as given, the first response is read back, and then
/// whether the server closed the connection.
enum RawHTTP {
    struct Response: Sendable {
        let status: Int
        /// Field names lowercased; the last value of a repeated field.
        let headers: [String: String]
        let body: Data
        /// The server closed the connection after this response (EOF within the wait).
        let closed: Bool

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    static func exchange(port: Int, _ request: String, waitForClose: Double = 2) async throws -> Response {
        try await exchange(port: port, Data(request.utf8), waitForClose: waitForClose)
    }

    static func exchange(port: Int, _ request: Data, waitForClose: Double = 2) async throws -> Response {
        try await offPool { try exchangeBlocking(port: port, request, waitForClose: waitForClose) }
    }

    private static func exchangeBlocking(port: Int, _ request: Data, waitForClose: Double) throws -> Response {
        let fd = try connectedSocket(port: port)
        defer { close(fd) }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }

        var received = Data()
        var closed = false
        // Generous: under a full parallel test run an upload's answer can take many seconds.
        var deadline = Date().addingTimeInterval(60)
        var expectedEnd: Int?
        var buffer = [UInt8](repeating: 0, count: 65536)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 {
                closed = true
                break
            }
            if count < 0 {
                if errno == ECONNRESET {
                    closed = true
                    break
                }
                continue
            }
            received.append(contentsOf: buffer[0..<count])
            if expectedEnd == nil, let end = received.range(of: Data("\r\n\r\n".utf8)) {
                let length = Self.headers(received[..<end.lowerBound])["content-length"].flatMap { Int($0) } ?? 0
                expectedEnd = end.upperBound + length
            }
            if let expectedEnd, received.count >= expectedEnd, deadline.timeIntervalSinceNow > waitForClose {
                // The whole response is here: now only see whether the server closes.
                deadline = Date().addingTimeInterval(waitForClose)
            }
        }
        guard let end = received.range(of: Data("\r\n\r\n".utf8)) else {
            return Response(status: 0, headers: [:], body: Data(), closed: closed)
        }
        let statusLine = String(decoding: received[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")[0]
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        let headers = Self.headers(received[..<end.lowerBound])
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        let body = received[end.upperBound...].prefix(length)
        return Response(status: status, headers: headers, body: Data(body), closed: closed)
    }

    /// An upload at an internet client's pace: `head` and `start`, then zeros in 16 KiB blocks
    /// every 10 ms (about 1.6 MB/s) through a small send buffer, watching for an answer after each
    /// block. It stops at the answer, at an error, or after `giveUpAfter` bytes; `sent` is how
    /// much the client handed to its socket by then.
    static func pacedUpload(port: Int, head: String, start: Data, giveUpAfter: Int) async throws -> (status: Int, sent: Int) {
        try await offPool {
            let fd = try connectedSocket(port: port, sendBuffer: 32 * 1024)
            defer { close(fd) }
            let opening = Data(head.utf8) + start
            var sent = opening.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let block = [UInt8](repeating: 0, count: 16 * 1024)
            var answer = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while sent < giveUpAfter {
                let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { answer.append(contentsOf: buffer[0..<count]) }
                if count == 0 || !answer.isEmpty { break }
                let written = send(fd, block, block.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK { break }
                if written > 0 { sent += written }
                usleep(10_000)
            }
            // The status line, if it has not all arrived yet.
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            while !answer.contains(UInt8(ascii: "\n")) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { break }
                answer.append(contentsOf: buffer[0..<count])
            }
            let statusLine = String(decoding: answer.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
            return (Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0, sent)
        }
    }

    private static func headers(_ head: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for line in String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// A TCP socket connected to 127.0.0.1:`port`; the caller closes it. A small `sendBuffer` (set
    /// before connecting) makes the client's writes track what the server has read.
    private static func connectedSocket(port: Int, sendBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        if var size = sendBuffer { setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect to port \(port) failed")
        }
        return fd
    }
}
