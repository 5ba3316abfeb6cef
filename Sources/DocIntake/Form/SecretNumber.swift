/// 秘密の番号: 4 digits used later to reissue the master account's password. It lives in memory
/// only until it is hashed; printing or logging it shows a mask.
struct SecretNumber: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let digits: String

    var description: String { "****" }
    var debugDescription: String { "SecretNumber(****)" }
    /// `dump()` and debuggers show the mask, not the digits.
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
