/// The two documents a 職域診療所 uploads, one file each.
public enum DocumentSlot: String, Sendable, Codable, CaseIterable {
    /// 開設届の写し: the copy of the opening notification filed with the public health centre.
    case openingNotification = "opening_notification"
    /// 開設許可書の写し: the copy of the opening permit received from the public health centre.
    case openingPermit = "opening_permit"

    /// The document as the portal names it, for messages and notices.
    public var japaneseName: String {
        self == .openingNotification ? "開設届の写し" : "開設許可書の写し"
    }
}
