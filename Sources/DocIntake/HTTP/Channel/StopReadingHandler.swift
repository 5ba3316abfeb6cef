import NIOCore
import NIOHTTPTypes

/// Ends a request body the route has refused (`close(mode: .input)`, see
/// ``DocIntakeRequestContext/stopReadingBody()``) for the layers above only: they see their input
/// end and answer, while the HTTP decoder below never sees an early EOF (which it would turn into
/// a second, bogus `400` after the real answer). Parts the decoder still produces are dropped;
/// the socket itself is left to ``LingeringCloseHandler``.
final class StopReadingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var stopped = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !stopped { context.fireChannelRead(data) }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .input && !stopped {
            stopped = true
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        context.close(mode: mode, promise: promise)
    }
}
