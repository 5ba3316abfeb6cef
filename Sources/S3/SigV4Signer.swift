import Crypto
import Foundation

/// AWS Signature Version 4 for request headers (the `Authorization` header form), as S3 expects it:
/// no path normalisation, each path segment URI-encoded once, the payload's SHA-256 signed.
/// A pure value: no clock of its own and no I/O, so the published worked examples can be checked exactly.
public struct SigV4Signer: Sendable {
    /// The hex SHA-256 of an empty payload.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Who signs.
    public let credentials: S3Credentials
    /// The region in the credential scope.
    public let region: String
    /// The service in the credential scope (`s3`).
    public let service: String

    /// A signer for one access key, region and service.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request signed: the headers to send and, for tests and diagnosis, the intermediate strings.
    /// None of it contains the secret; `authorization` holds only a signature derived from it.
    public struct Signed: Sendable {
        /// The canonical request that was hashed.
        public let canonicalRequest: String
        /// The string that was signed.
        public let stringToSign: String
        /// The hex signature.
        public let signature: String
        /// The `Authorization` header's value.
        public let authorization: String
        /// Every header to send, lower-cased names: the caller's, x-amz-date, x-amz-content-sha256,
        /// x-amz-security-token (with temporary credentials) and authorization.
        public let headers: [(name: String, value: String)]
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, …
    ///   - encodedPath: the URL path exactly as sent, already encoded with `encodePath` (`/bucket/my%20key`).
    ///   - query: the query parameters, not encoded (`[("list-type", "2"), ("prefix", "a b")]`); a parameter without a
    ///     value (`?uploads`) has the value "".
    ///   - headers: the headers to sign besides those this adds; must include `host`.
    ///   - payloadSHA256: the payload's hex SHA-256 (`emptyPayloadSHA256` for none).
    ///   - date: the signing time.
    public func sign(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)], payloadSHA256: String,
        date: Date
    ) -> Signed {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var all = headers.map { (name: $0.0.lowercased(), value: $0.1) }
        func setIfAbsent(_ name: String, _ value: String) {
            if !all.contains(where: { $0.name == name }) { all.append((name, value)) }
        }
        setIfAbsent("x-amz-date", timestamp)
        setIfAbsent("x-amz-content-sha256", payloadSHA256)
        if let token = credentials.sessionToken { setIfAbsent("x-amz-security-token", token) }

        // Headers of the same name join with commas in the order given; names sort as bytes.
        var merged: [String: [String]] = [:]
        for header in all { merged[header.name, default: []].append(Self.trimmed(header.value)) }
        let names = merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            method.uppercased(), encodedPath.isEmpty ? "/" : encodedPath, Self.canonicalQuery(query), canonicalHeaders, signedHeaders,
            payloadSHA256,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        all.append(("authorization", authorization))
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, authorization: authorization,
            headers: all)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// The canonical query string, also the query the client sends: each key and value URI-encoded
    /// (`/` too), sorted by encoded key then value, `key=value` joined by `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(key: String, value: String)] = query.map { pair in
            (uriEncode(pair.0, keepSlash: false), uriEncode(pair.1, keepSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.key == b.key ? a.value < b.value : a.key < b.key }
        return sorted.map { pair in pair.key + "=" + pair.value }.joined(separator: "&")
    }

    /// A path with each segment URI-encoded and its slashes kept: `/test$file.text` → `/test%24file.text`.
    public static func encodePath(_ path: String) -> String {
        uriEncode(path, keepSlash: true)
    }

    /// AWS's URI encoding: every byte of the UTF-8 form except the unreserved A–Z a–z 0–9 - . _ ~
    /// (and `/` in a path) becomes %XX with upper-case hex.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// Leading and trailing spaces removed, runs of spaces made one, as the canonical headers want.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// Lower-case hex of any bytes.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
