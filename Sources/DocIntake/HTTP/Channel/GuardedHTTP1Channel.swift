import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 channel with a ``LingeringCloseHandler`` in front of its HTTP codec
/// (the one place that sees raw bytes and every close) and an ``HTTP1ConformanceHandler`` right
/// behind NIO's decoder. (`additionalChannelHandlers` go behind the
/// codec, where a 1 MiB header line or a parse error never arrives.)
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limits: ConnectionLimits

    /// The most one read from a connection takes. With NIO's 64 KiB a 100 MiB upload was 1,600
    /// reads, each a trip through the decoder, the body stream, an upload thread and the hasher:
    /// 256 KiB cut the server's CPU per upload from 0.25 to 0.20 s (issue 23). NIO grows a
    /// connection's buffer only while reads fill it, so a slow line keeps small ones.
    static let largestRead = 256 * 1024

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions?.setOption(
                ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.largestRead))
            try channel.pipeline.syncOperations.addHandler(
                LingeringCloseHandler(lingerTime: limits.lingerTime, lingerBytes: limits.lingerBytes), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            // Right behind NIO's decoder, where the request's HTTP version and every Host field are still there.
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTP1ConformanceHandler(), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }

    /// The server: HTTP/1.1 with the stop-reading, deadline and expect-continue handlers behind
    /// the codec.
    static func server(limits: ConnectionLimits, maxRequestBytes: Int64, logger: Logger) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                base: HTTP1Channel(
                    responder: responder,
                    configuration: .init(
                        additionalChannelHandlers: [
                            StopReadingHandler(),
                            RequestDeadlineHandler(limits: limits, logger: logger),
                            ExpectContinueHandler(maxRequestBytes: maxRequestBytes),
                        ],
                        // RequestDeadlineHandler owns every phase's deadline.
                        idleTimeout: nil)),
                limits: limits)
        }
    }
}
