/// A notice's text, before it becomes an email.
struct RenderedNotice: Sendable, Equatable {
    var kind: NoticeKind
    var subject: String
    /// Plain text, lines ending in `\n`.
    var body: String
}
