/// Why clamd could not give a verdict. Every case means "not scanned": the caller fails closed.
public enum ClamdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection could be made (clamd down, wrong socket, refused).
    case unreachable(String)
    /// clamd did not answer, or did not take the bytes, within the timeout.
    case timedOut
    /// The stream was longer than clamd's StreamMaxLength: a configuration fault, since clamd's
    /// defaults (25 MB) are below the upload cap and would otherwise leave large files unscanned.
    case sizeLimitExceeded
    /// clamd answered with an error, or something that is not a verdict.
    case failed(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "clamd unreachable: \(why)"
        case .timedOut: "clamd timed out"
        case .sizeLimitExceeded:
            "clamd refused the stream (INSTREAM size limit exceeded): raise StreamMaxLength, MaxFileSize and MaxScanSize "
                + "in clamd.conf above the upload cap, and set AlertExceedsMax yes"
        case .failed(let reply): "clamd error: \(reply)"
        }
    }
}

/// clamd's verdict on a stream.
public enum ClamdVerdict: Sendable, Equatable {
    case clean
    /// The name of the signature that matched, e.g. `Win.Test.EICAR_HDB-1`. It is for the
    /// operator's logs and the audit log, never for the applicant.
    case infected(signature: String)

    /// Reads a reply such as `stream: OK` or `stream: Eicar-Signature FOUND`.
    static func parse(_ reply: String) throws(ClamdError) -> ClamdVerdict {
        let reply = reply.trimmingTrailingTerminators()
        if reply.hasSuffix(" OK") { return .clean }
        if reply.hasSuffix(" FOUND") {
            let body = reply.dropLast(" FOUND".count)
            let name = body.firstIndex(of: ":").map { body[body.index(after: $0)...] } ?? body
            return .infected(signature: String(name.drop { $0 == " " }))
        }
        if reply.contains("size limit exceeded") { throw .sizeLimitExceeded }
        throw .failed(reply)
    }
}

extension String {
    func trimmingTrailingTerminators() -> String {
        var text = self
        while let last = text.last, last == "\0" || last == "\n" || last == " " { text.removeLast() }
        return text
    }
}
