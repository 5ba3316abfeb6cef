import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

@testable import ReviewClient

/// A transport that answers from a closure and remembers every request, so the client's logic
/// can be tested without a network.
final class FakeTransport: ReviewTransport {
    private let requests = Mutex<[HTTPClientRequest]>([])
    private let responder: @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse

    /// `responder` gets each request and its index (0 for the first).
    init(_ responder: @escaping @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse) {
        self.responder = responder
    }

    func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        let index = requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return try responder(request, index)
    }

    var seen: [HTTPClientRequest] { requests.withLock { $0 } }

    func client(token: String = "dir_test-token") throws -> ReviewClient {
        ReviewClient(server: try ServerAddress("http://127.0.0.1:8080"), token: try BearerToken(token), transport: self)
    }
}

/// Canned responses shaped like the DocIntake server's.
enum Canned {
    /// A JSON body with `status`.
    static func json(_ text: String, status: HTTPResponseStatus = .ok) -> HTTPClientResponse {
        HTTPClientResponse(
            status: status, headers: ["Content-Type": "application/json"],
            body: .bytes(ByteBuffer(string: text)))
    }

    /// A problem+json error.
    static func problem(_ status: HTTPResponseStatus, code: String, detail: String, detailEn: String) -> HTTPClientResponse {
        let text =
            #"{"type":"/problems/\#(code)","title":"x","status":\#(status.code),"code":"\#(code)","detail":"\#(detail)","detail_en":"\#(detailEn)","errors":[]}"#
        return HTTPClientResponse(
            status: status, headers: ["Content-Type": "application/problem+json"], body: .bytes(ByteBuffer(string: text)))
    }

    /// The document `whole` from byte `offset` on, as the server streams it: 200 or 206, with
    /// ETag, Repr-Digest and Content-Disposition describing the whole document. `digest`
    /// overrides the advertised SHA-256; `cutAfter` aborts the body after that many bytes.
    static func document(
        _ whole: [UInt8], from offset: Int = 0, filename: String, digest: [UInt8]? = nil,
        cutAfter: Int? = nil, headers extra: [(String, String)] = []
    ) -> HTTPClientResponse {
        let advertised = digest ?? Checksums.sha256(whole)
        var headers: HTTPHeaders = [
            "Content-Type": "application/octet-stream",
            "Content-Length": String(whole.count - offset),
            "ETag": "\"\(Hex.encode(advertised))\"",
            "Repr-Digest": "sha-256=:\(Checksums.base64(advertised)):",
            "Content-Disposition": "attachment; filename=\"document\"; filename*=UTF-8''\(Checksums.percentEncoded(filename))",
        ]
        if offset > 0 { headers.add(name: "Content-Range", value: "bytes \(offset)-\(whole.count - 1)/\(whole.count)") }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let bytes = Array(whole[offset...])
        return HTTPClientResponse(status: offset > 0 ? .partialContent : .ok, headers: headers, body: .stream(chunks(bytes, cutAfter: cutAfter)))
    }

    /// `bytes` in 1000-byte chunks, ending with a dropped connection after `cutAfter` bytes.
    static func chunks(_ bytes: [UInt8], cutAfter: Int?) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let end = min(cutAfter ?? bytes.count, bytes.count)
            var start = 0
            while start < end {
                let stop = min(start + 1000, end)
                continuation.yield(ByteBuffer(bytes: bytes[start..<stop]))
                start = stop
            }
            if cutAfter != nil {
                continuation.finish(throwing: HTTPClientError.remoteConnectionClosed)
            } else {
                continuation.finish()
            }
        }
    }
}
