import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection's channel, which an
/// upload handler needs to stop reading a body it has already refused.
struct DocIntakeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Stops reading the request body: after an early rejection the server answers and closes
    /// instead of draining up to 200 MiB the client may still be sending.
    func stopReadingBody() {
        channel.close(mode: .input, promise: nil)
    }
}
