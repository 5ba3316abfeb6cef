/// The final judgement on a complete file.
public struct Verdict: Sendable, Equatable {
    /// The accepted type, or why the file is refused.
    public var result: Result<DocumentType, Rejection>
    /// libmagic's MIME opinion, for logs only: it never decides the result.
    public var magicMime: String?

    /// A verdict from its parts.
    public init(result: Result<DocumentType, Rejection>, magicMime: String?) {
        self.result = result
        self.magicMime = magicMime
    }
}
