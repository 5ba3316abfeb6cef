import Glibc

/// One blocking connection to clamd. Every send and receive (and, on Linux, the connect) gives up
/// after `timeout`, so a clamd that hangs fails the upload closed instead of holding it forever.
final class ClamdSocket {
    private var descriptor: Int32

    init(_ endpoint: ClamdEndpoint, timeout: Duration) throws(ClamdError) {
        switch endpoint {
        case .unix(let path):
            descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw .unreachable("socket: \(Self.lastError())") }
            Self.setTimeouts(descriptor, timeout)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else {
                close(descriptor)
                throw .unreachable("socket path too long: \(path)")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard result == 0 else {
                let why = Self.lastError()
                close(descriptor)
                throw .unreachable("\(path): \(why)")
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, list != nil else {
                throw .unreachable("cannot resolve \(host)")
            }
            defer { freeaddrinfo(list) }
            // Every address in turn: `localhost` may name ::1 first while clamd listens on 127.0.0.1.
            var failure = ClamdError.unreachable("\(host):\(port): no address")
            var candidate = list
            while let address = candidate?.pointee {
                candidate = address.ai_next
                let attempt = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
                guard attempt >= 0 else { continue }
                Self.setTimeouts(attempt, timeout)
                if connect(attempt, address.ai_addr, address.ai_addrlen) == 0 {
                    descriptor = attempt
                    return
                }
                let timedOut = errno == EINPROGRESS || errno == EAGAIN
                failure = timedOut ? .timedOut : .unreachable("\(host):\(port): \(Self.lastError())")
                close(attempt)
            }
            throw failure
        }
    }

    deinit { disconnect() }

    func disconnect() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// Sends every byte, or throws. MSG_NOSIGNAL: a clamd that hung up is an error, not SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer) throws(ClamdError) {
        var offset = 0
        while offset < bytes.count {
            let sent = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
                throw .failed("send: \(Self.lastError())")
            }
            offset += sent
        }
    }

    func send(_ bytes: [UInt8]) throws(ClamdError) {
        var failure: ClamdError?
        bytes.withUnsafeBytes { raw in
            do throws(ClamdError) { try send(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to clamd's NUL terminator (the `z` commands' framing) or the end of the stream.
    func readReply(limit: Int = 4096) throws(ClamdError) -> String {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while reply.count < limit {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
                throw .failed("recv: \(Self.lastError())")
            }
            if count == 0 { break }
            reply.append(contentsOf: buffer[..<count])
            if reply.last == 0 { break }
        }
        return String(decoding: reply, as: UTF8.self).trimmingTrailingTerminators()
    }

    private static func setTimeouts(_ descriptor: Int32, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
