import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (curl sends it for bodies of 1 MiB or more and otherwise waits
/// a second), except when the declared length is already over the bound: then it sends no 100,
/// and the route answers 413 without the client sending the body.
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let maxRequestBytes: Int64

    init(maxRequestBytes: Int64) {
        self.maxRequestBytes = maxRequestBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data),
            head.headerFields[.expect]?.lowercased() == "100-continue"
        {
            head.headerFields[.expect] = nil
            let declared = head.headerFields[.contentLength].flatMap { Int64($0) }
            if declared.map({ $0 <= maxRequestBytes }) ?? true {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }
}
