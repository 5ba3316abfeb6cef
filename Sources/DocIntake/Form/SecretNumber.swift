/// 秘密の番号: 4 digits used later to reissue the master account's password. It lives in memory
/// only until it is hashed; printing or logging it shows a mask.
public struct SecretNumber: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let digits: String

    public var description: String { "****" }
    public var debugDescription: String { "SecretNumber(****)" }
    /// `dump()` and debuggers show the mask, not the digits.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
