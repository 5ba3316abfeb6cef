import Foundation

/// Where the PostgreSQL metadata lives: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, optionally
/// with `?sslmode=disable|prefer|require` (libpq's names; `prefer` when absent, as with libpq). Its
/// `description` is the URL with the password replaced by `***`, so that it can be logged.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the connection is encrypted.
    public enum TLSMode: String, Sendable {
        /// Plain TCP: a database on the same host or a private network.
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS with a certificate the system trusts for `host`, or no connection.
        case require
    }

    /// The role to log in as.
    public var user: String
    /// Its password; nil for trust or peer authentication.
    public var password: String?
    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The database.
    public var database: String
    /// Whether to use TLS.
    public var tlsMode: TLSMode
    /// `connect_timeout` (libpq's name, in seconds): how long a request waits for a connection before
    /// the database counts as unavailable. Nil: the store's default.
    public var connectTimeout: Duration?

    /// Parses `text`; throws `DatabaseURLError` saying what is wrong (never quoting the password).
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text) else { throw DatabaseURLError.notAURL }
        guard components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw DatabaseURLError.scheme(components.scheme ?? "")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError.missing("host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError.missing("user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw DatabaseURLError.missing("database") }
        if let port = components.port, !(1...65535).contains(port) { throw DatabaseURLError.port }
        var tlsMode = TLSMode.prefer
        var connectTimeout: Duration?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else { throw DatabaseURLError.sslMode(item.value ?? "") }
                tlsMode = mode
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else { throw DatabaseURLError.connectTimeout(item.value ?? "") }
                connectTimeout = .seconds(seconds)
            default:
                throw DatabaseURLError.parameter(item.name)
            }
        }
        // URLComponents keeps the user and password percent-decoded; an IPv6 host keeps its brackets.
        self.user = user
        self.password = components.password
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        self.database = database
        self.tlsMode = tlsMode
        self.connectTimeout = connectTimeout
    }

    /// The URL with the password replaced by `***`: safe to log.
    public var redacted: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        if password != nil { components.percentEncodedPassword = "***" }
        components.host = host.contains(":") ? "[\(host)]" : host
        components.port = port
        components.path = "/" + database
        var query: [URLQueryItem] = []
        if tlsMode != .prefer { query.append(URLQueryItem(name: "sslmode", value: tlsMode.rawValue)) }
        if let connectTimeout { query.append(URLQueryItem(name: "connect_timeout", value: "\(connectTimeout.components.seconds)")) }
        components.queryItems = query.isEmpty ? nil : query
        return components.string ?? "postgres://\(host):\(port)/\(database)"
    }

    /// The redacted URL.
    public var description: String { redacted }

    /// The redacted URL.
    public var debugDescription: String { redacted }

    /// The redacted URL alone, so that `dump` and the debugger do not show the password either.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    /// Where the server is, for messages: `HOST:PORT/DATABASE`.
    var endpoint: String { "\(host):\(port)/\(database)" }
}

/// Why a `--database` URL was refused. The messages say what to write instead and never quote a password.
public enum DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAURL
    case scheme(String)
    case missing(String)
    case port
    case parameter(String)
    case sslMode(String)
    case connectTimeout(String)

    public var description: String {
        let form = "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=disable|prefer|require][&connect_timeout=SECONDS]"
        switch self {
        case .notAURL: return "the database URL is not a URL; \(form)"
        case .scheme(let scheme): return "the database URL's scheme is \"\(scheme)\", not postgres; \(form)"
        case .missing(let part): return "the database URL has no \(part); \(form)"
        case .port: return "the database URL's port is not between 1 and 65535; \(form)"
        case .parameter(let name): return "the database URL has the parameter \"\(name)\"; only sslmode and connect_timeout are understood"
        case .sslMode(let mode): return "sslmode \"\(mode)\" is not one of disable, prefer, require"
        case .connectTimeout(let value): return "connect_timeout \"\(value)\" is not a whole number of seconds above 0"
        }
    }
}
