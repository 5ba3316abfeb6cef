import Foundation
import NIOCore
import NIOHTTP1

/// RFC 9112 rules Hummingbird does not apply, checked on the request head as NIO decodes it
/// (once it is an HTTPTypes request, its HTTP version and any repeated `Host` are gone):
/// - an HTTP/1.1 request without `Host`, or any request with more than one, gets 400 (§3.2);
/// - an HTTP/1.0 request with `Transfer-Encoding` gets 400, and the connection closes (§6.1);
/// - after the response to an HTTP/1.0 request the connection closes, unless the request asked
///   for keep-alive, which the response then confirms (§9.3).
final class HTTP1ConformanceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The rest of a refused request is dropped; the connection closes after the answer.
    private var refusing = false
    /// Set while an HTTP/1.0 request is answered: whether it asked for keep-alive.
    private var http10KeepAlive: Bool?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard case .head(let head) = part else {
            if !refusing { context.fireChannelRead(data) }
            return
        }
        let hosts = head.headers["Host"].count
        let http10 = head.version == .http1_0
        if hosts > 1 || (hosts == 0 && !http10) {
            refuse(.invalidHost, context: context)
            return
        }
        if http10 {
            if head.headers.contains(name: "Transfer-Encoding") {
                refuse(.chunkedOnHTTP10, context: context)
                return
            }
            http10KeepAlive = head.isKeepAlive
        } else {
            http10KeepAlive = nil
        }
        refusing = false
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let keepAlive = http10KeepAlive else {
            context.write(data, promise: promise)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            // The response line says HTTP/1.1 (the server's version); `Connection` tells a
            // 1.0 client whether the connection stays.
            head.headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !keepAlive:
            self.http10KeepAlive = nil
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    /// Answers `problem` itself (the request goes no further) and closes.
    private func refuse(_ problem: Problem, context: ChannelHandlerContext) {
        refusing = true
        http10KeepAlive = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = ByteBuffer(bytes: (try? encoder.encode(problem.details)) ?? Data())
        let head = HTTPResponseHead(
            version: .http1_1, status: .init(statusCode: problem.status),
            headers: [
                "Content-Type": "application/problem+json; charset=utf-8", "Content-Length": "\(body.readableBytes)",
                "Cache-Control": "no-store", "Connection": "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
