import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who runs a maintenance job: the account's user name for the records, and the actor written
/// to the audit log (`operator:<user>` from the command line, `system` inside the server).
public struct OperatorIdentity: Sendable, Equatable, Codable {
    /// The account's user name.
    public var user: String
    /// `operator:<user>` or `system`.
    public var actor: String

    /// A person running a command as `user`.
    public static func person(_ user: String) -> OperatorIdentity {
        let user = sanitised(user)
        return OperatorIdentity(user: user, actor: "operator:\(user)")
    }

    /// The server acting on its own schedule, as the account it runs under.
    public static func system(_ user: String) -> OperatorIdentity {
        OperatorIdentity(user: sanitised(user), actor: "system")
    }

    /// The current account's name: `$USER`, else the password database's entry for the
    /// effective uid, else `uid:<n>`.
    public static func currentUser(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let user = environment["USER"], !user.isEmpty { return sanitised(user) }
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            let user = String(cString: name)
            if !user.isEmpty { return sanitised(user) }
        }
        return "uid:\(uid)"
    }

    /// Keeps a user name to one printable line without the actor separator.
    static func sanitised(_ user: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in user.unicodeScalars where !CharacterSet.controlCharacters.contains(scalar) && scalar != ":" && kept.count < 64 {
            kept.append(scalar)
        }
        return kept.isEmpty ? "unknown" : String(kept)
    }
}
