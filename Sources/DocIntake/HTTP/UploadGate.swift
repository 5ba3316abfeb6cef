import Hummingbird
import Logging
import NIOHTTP1
import Synchronization

/// Caps how many uploads are received at once: each holds a temp file, a scanner and CPU, and a
/// flood of them would starve everyone else. Past the cap an upload is refused with 503.
final class UploadGate: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Runs `body` holding a place, or returns nil without running it when every place is taken.
    func withPlace<T>(_ body: () async throws -> T) async rethrows -> T? {
        // Take a place only while one is free, so that a burst of refused attempts never counts
        // against the uploads really in flight.
        var current = inFlight.load(ordering: .relaxed)
        while true {
            guard current < limit else { return nil }
            let (exchanged, original) = inFlight.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await body()
    }
}

extension UploadGate {
    /// Runs an upload handler holding a place (each request of a resumable upload takes one). A
    /// declared length over the bound is refused before any body byte is read; a refusal while bytes
    /// are still arriving answers, then stops reading.
    func receive(
        _ request: Request, _ context: DocIntakeRequestContext, limit: Int64,
        _ handler: (TrackedBody<RequestBody>) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > limit {
            context.stopReadingBody()
            UploadMetrics.rejected(reason: "request_too_large")
            return Problem(.requestTooLarge(limit: limit)).response(closeConnection: true)
        }
        let body = TrackedBody(base: request.body)
        do {
            let response = try await withPlace {
                try await withTaskExecutorPreference(UploadThreads.shared) { try await handler(body) }
            }
            guard let response else {
                context.stopReadingBody()
                ConnectionMetrics.refused("too_many_uploads", logger: context.logger, metadata: ["limit": .stringConvertible(limit)])
                UploadMetrics.rejected(reason: Problem.tooManyUploads.code)
                var response = Problem.tooManyUploads.response(closeConnection: true)
                response.headers[.retryAfter] = "5"
                return response
            }
            return response
        } catch is HTTPParserError {
            // The client closed the connection or broke the framing mid-body: its doing, not a
            // failure of the server's (which a 500 and an error log would claim).
            ConnectionMetrics.refused("incomplete_request", logger: context.logger)
            UploadMetrics.rejected(reason: Problem.incompleteRequest.code)
            context.stopReadingBody()
            return Problem.incompleteRequest.response(closeConnection: true)
        } catch {
            let problem = Problem.forResponse(error, logger: context.logger)
            UploadMetrics.rejected(reason: problem.code)
            context.logger.info("upload refused", metadata: ["code": .string(problem.code), "status": .stringConvertible(problem.status)])
            if body.wasReadToEnd { return problem.response() }
            context.stopReadingBody()
            return problem.response(closeConnection: true)
        }
    }
}
