import Logging
import PostgresNIO
import Synchronization

/// Wakes this server's notice deliverers when any server sharing the database commits a notice:
/// every transaction that queues one sends `NOTIFY docintake_outbox`, which PostgreSQL delivers at
/// COMMIT to every listening session, and one pooled connection per server LISTENs.
///
/// A listener that lost its connection listens again after a pause; meanwhile (and whenever a
/// notification is lost) the deliverers still wake at their timeout, so nothing waits forever.
final class QueuedNoticeSignal: Sendable {
    /// The channel the store's transactions notify.
    static let channel = "docintake_outbox"

    /// The deliverers wait on it; the listener (and this server's own commits) fire it.
    let wakeup = Wakeup()
    private let listening = Atomic<Bool>(false)

    /// Whether the LISTEN connection is up.
    var isListening: Bool { listening.load(ordering: .acquiring) }

    /// LISTENs until the task is cancelled, on a pooled connection, again after a pause when the
    /// connection drops.
    func listen(client: PostgresClient, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        listening.store(true, ordering: .releasing)
                        // A notice may have been committed while nobody listened.
                        wakeup.fire()
                        for try await _ in notifications { wakeup.fire() }
                    }
                }
            } catch {
                logger.debug("the queued-notice listener lost its connection; listening again shortly", metadata: ["error": "\(type(of: error))"])
            }
            listening.store(false, ordering: .releasing)
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Returns once the listener is up, or after `timeout`.
    func waitUntilListening(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !isListening, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
