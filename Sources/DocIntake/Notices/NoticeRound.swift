/// What one `deliverDue()` did.
public struct NoticeRound: Sendable, Equatable {
    /// Notices handed to the transport and marked sent.
    public var sent = 0
    /// Notices whose attempt failed; each is due again after its backoff.
    public var failed = 0
}
