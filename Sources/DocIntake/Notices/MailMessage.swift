import Foundation
import Storage

/// One notice as an email: RFC 5322 with a MIME-encoded Japanese subject and a base64 UTF-8 body,
/// every line ending in CRLF.
///
/// Everything in it derives from the outbox row (the date is the event's, the Message-ID its
/// event key's), so rendering the same row twice gives the same bytes: a file transport that
/// rewrites the message after a crash changes nothing, and a receiver can drop a duplicate by
/// its Message-ID.
struct MailMessage: Sendable {
    /// Names the message among all others of this outbox; safe as a file name.
    var key: String
    var from: String
    var to: String
    var subject: String
    var body: String
    var date: Date
    var messageID: String

    /// The email for an outbox row and its rendered text.
    init(notice: OutboxMessage, rendered: RenderedNotice, from: String) {
        key = Self.key(eventKey: notice.eventKey)
        self.from = from
        to = notice.recipient
        subject = rendered.subject
        body = rendered.body
        date = notice.createdAt
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        // The application id keeps it unique across databases; the event key within one.
        messageID = "<\(key).\(notice.applicationId)@\(domain)>"
    }

    /// The event key with anything but letters and digits as `-`: the `.eml` file's name.
    static func key(eventKey: String) -> String {
        eventKey.map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) }
    }

    /// The message's bytes. Throws `.invalidAddress` when an address could inject a header.
    func encoded() throws -> [UInt8] {
        for address in [from, to] where address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw NoticeError.invalidAddress
        }
        var lines = [
            "Date: " + Self.rfc5322Date(date),
            "From: " + from,
            "To: " + to,
            "Message-ID: " + messageID,
            "Subject: " + Self.encodedWords(subject).joined(separator: "\r\n "),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        // The canonical form of text is CRLF lines (RFC 2045) before it is base64-encoded.
        let canonical = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let base64 = Data(canonical.utf8).base64EncodedString()
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 76, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[start..<end]))
            start = end
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// RFC 2047 `B` encoded-words, split between characters (never inside one's UTF-8 bytes),
    /// to be joined by folding whitespace.
    static func encodedWords(_ text: String) -> [String] {
        // 39 bytes become 52 base64 characters: with `=?UTF-8?B?` and `?=`, 64, so that even the
        // first line, after `Subject: `, stays within RFC 5322's 78.
        let maxBytes = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
            chunk = []
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maxBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Thu, 26 Nov 2026 16:00:28 +0900`, in Japan time, the recipients' own.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = DomainFacts.retentionTimeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
