/// One step through a multipart body; parts arrive as `partBegin`, `body`…, `partEnd`.
public enum MultipartEvent: Sendable, Equatable {
    /// A part starts; its content follows as zero or more `body` events, then `partEnd`.
    case partBegin(PartHeaders)
    /// The next bytes of the current part's content, never empty. Content is split at
    /// arbitrary points, so the caller concatenates these.
    case body([UInt8])
    /// The current part's content is complete.
    case partEnd
}
