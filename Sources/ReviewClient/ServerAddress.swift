import Foundation

/// The DocIntake server's base URL, and the review API's URLs built from it.
public struct ServerAddress: Sendable, Equatable {
    /// `scheme://host[:port]` plus any path prefix, without a trailing slash.
    let base: String
    let scheme: String
    let host: String

    /// Parses `--server`. A path prefix is kept, for a server behind a reverse proxy.
    public init(_ text: String) throws(ReviewError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil,
            components.query == nil, components.fragment == nil
        else { throw .invalidServer(text) }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        let port = components.port.map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        self.scheme = scheme
        self.host = host
        base = "\(scheme)://\(bracketed)\(port)\(path)"
    }

    /// The base URL as shown in messages.
    public var display: String { base }

    /// A warning when the token would cross a network in clear text: plain http to a host other
    /// than this machine.
    public var cleartextWarning: String? {
        guard scheme == "http", !["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) else { return nil }
        return "warning: \(base) is plain http; the reviewer token and the documents cross the network unencrypted. Use https."
    }

    /// `<base>/api/v1/review/<segments…>?<query>`, each segment and value percent-encoded, so that
    /// an ID or cursor can never change the path or add parameters.
    func reviewURL(_ segments: [String], query: [(String, String)] = []) -> String {
        var url = base + "/api/v1/review"
        for segment in segments { url += "/" + Self.encode(segment) }
        if !query.isEmpty {
            url += "?" + query.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        }
        return url
    }

    /// RFC 3986 unreserved characters and `,` (the status list's separator) stay; everything else,
    /// `+`, `&`, `/` and `?` included, is escaped.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ","):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
