/// Where a rendered notice goes: `.eml` files (the default) or a sendmail-compatible program.
protocol NoticeTransport: Sendable {
    /// `file` or `sendmail`, for logs and metrics.
    var name: String { get }

    /// Hands one message over, blocking until it is accepted (call it on the blocking pool);
    /// throws a `NoticeError` when it was not.
    func deliver(_ message: MailMessage) throws
}
