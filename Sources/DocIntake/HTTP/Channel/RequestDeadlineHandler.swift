import Logging
import NIOCore
import NIOHTTPTypes

/// Holds each request on a connection to its deadlines: a complete head within `headerTimeout`
/// (a slowloris client dribbling headers is closed), then a body that never goes silent for
/// `idleTimeout`, ends within `uploadTimeout` and keeps the minimum rate. A body refusal reaches
/// the route as a ``Problem`` thrown from the body stream, so the client gets a 408 and the route
/// removes its temp files; the route then stops reading and the connection lingers and closes.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Waiting for (the rest of) a request head.
        case awaitingHead(since: NIODeadline)
        /// A body is arriving; `responded` once the route answered before reading it all.
        case receivingBody(Body)
        /// The request is read; the route is answering. No deadline: that is the server's time.
        case responding
        /// A deadline passed; the connection is on its way out.
        case refused(at: NIODeadline)
    }

    private struct Body {
        let started: NIODeadline
        var lastByte: NIODeadline
        var windowStarted: NIODeadline
        var windowBytes: Int
        var responded = false
    }

    private let limits: ConnectionLimits
    private let logger: Logger
    private var phase: Phase = .awaitingHead(since: .now())
    private var ticker: RepeatedTask?

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// How often deadlines are checked: often enough that each one is late by at most a quarter
    /// of the shortest, never more than once per 50 ms or less than once per second.
    private var tick: TimeAmount {
        let shortest = [limits.headerTimeout, limits.idleTimeout, limits.rateWindow].min()!
        return .nanoseconds(min(max(shortest.nanoseconds / 4, 50_000_000), 1_000_000_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard ticker == nil else { return }
        phase = .awaitingHead(since: .now())
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            let (handler, context) = loopBound.value
            handler.check(context)
        }
    }

    private func stop() {
        ticker?.cancel()
        ticker = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        switch (unwrapInboundIn(data), phase) {
        case (.head, .awaitingHead):
            phase = .receivingBody(Body(started: now, lastByte: now, windowStarted: now, windowBytes: 0))
        case (.body(let buffer), .receivingBody(var body)):
            body.lastByte = now
            body.windowBytes += buffer.readableBytes
            phase = .receivingBody(body)
        case (.end, .receivingBody(let body)):
            phase = body.responded ? .awaitingHead(since: now) : .responding
        default:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            switch phase {
            case .responding: phase = .awaitingHead(since: .now())
            case .receivingBody(var body):
                // Answered early: the body's deadlines still bound whatever is left of it.
                body.responded = true
                phase = .receivingBody(body)
            default: break
            }
        }
        context.write(data, promise: promise)
    }

    private func check(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        switch phase {
        case .awaitingHead(let since):
            guard now - since >= .init(limits.headerTimeout) else { return }
            phase = .refused(at: now)
            ConnectionMetrics.refused("header_timeout", logger: logger, metadata: ["remote": "\(context.remoteAddress?.description ?? "?")"])
            context.close(promise: nil)
        case .receivingBody(var body):
            if now - body.lastByte >= .init(limits.idleTimeout) {
                refuse(
                    context, reason: "upload_stalled", .uploadStalled(after: limits.idleTimeout),
                    message: "upload stalled: no data for \(limits.idleTimeout)")
            } else if now - body.started >= .init(limits.uploadTimeout) {
                refuse(
                    context, reason: "upload_timeout", .uploadTimedOut(after: limits.uploadTimeout),
                    message: "upload timed out after \(limits.uploadTimeout)")
            } else if limits.minUploadBytesPerSecond > 0, now - body.windowStarted >= .init(limits.rateWindow) {
                let needed = Int64(limits.minUploadBytesPerSecond) * limits.rateWindow.components.seconds
                if Int64(body.windowBytes) < needed {
                    refuse(
                        context, reason: "upload_too_slow", .uploadTooSlow(minimumBytesPerSecond: limits.minUploadBytesPerSecond),
                        message: "upload too slow: \(body.windowBytes) bytes in \(limits.rateWindow)")
                } else {
                    body.windowStarted = now
                    body.windowBytes = 0
                    phase = .receivingBody(body)
                }
            }
        case .refused(let at):
            // A route that never reads its body never sees the error: close after a grace period.
            if now - at >= .init(limits.headerTimeout) { context.close(promise: nil) }
        case .responding:
            break
        }
    }

    /// The body stream throws `problem`: the route answers it and removes what it staged.
    private func refuse(_ context: ChannelHandlerContext, reason: String, _ problem: Problem, message: String) {
        phase = .refused(at: .now())
        ConnectionMetrics.refused(reason, logger: logger, message: message, metadata: ["remote": "\(context.remoteAddress?.description ?? "?")"])
        context.fireErrorCaught(problem)
    }
}
