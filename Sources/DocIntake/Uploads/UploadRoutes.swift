import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// tus 1.0.0 at `/api/v1/uploads`, with the creation, creation-with-upload, termination, checksum
/// and expiration extensions, on top of `UploadService`. Every answer carries `Tus-Resumable`;
/// every refusal is problem+json like the rest of the API.
struct UploadRoutes: Sendable {
    let service: UploadService
    /// Uploads received at once: each request that carries bytes takes a place.
    let uploads: UploadGate

    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,termination,checksum,expiration"
    static let offsetOctetStream = "application/offset+octet-stream"

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        let group = router.group("api/v1/uploads").add(middleware: TusHeadersMiddleware())
        group.on("", method: .options) { _, _ in
            Response(
                status: .noContent,
                headers: [
                    .tusVersion: Self.version, .tusExtension: Self.extensions, .tusMaxSize: String(service.limits.maxFileSize),
                    .tusChecksumAlgorithm: UploadChecksum.Algorithm.allCases.map(\.rawValue).joined(separator: ","),
                ])
        }
        group.post { request, context in
            try await respond(context) {
                let metadata = Self.metadata(request.headers[.uploadMetadata])
                if request.headers[.uploadDeferLength] != nil { throw UploadError.invalidLength }
                let (id, created) = try await service.create(
                    slot: metadata["slot"], length: request.headers[.uploadLength].flatMap { Int64($0) }, filename: metadata["filename"])
                var headers: HTTPFields = [.location: "/api/v1/uploads/\(id.value)", .uploadExpires: Self.httpDate(created.expiresAt)]
                guard Self.carriesBytes(request) else {
                    if Self.hasBody(request) { context.stopReadingBody() }
                    return Response(status: .created, headers: headers)
                }
                // creation-with-upload: the body is the first request's bytes. A refusal of them
                // still answers with the upload's address, so that the client can resume.
                let appended = try await receiveBytes(request, context, id: id.value, at: 0)
                if appended.status == .noContent {
                    headers[.uploadOffset] = appended.headers[.uploadOffset]
                    return Response(status: .created, headers: headers)
                }
                var refused = appended
                refused.headers[.location] = headers[.location]
                return refused
            }
        }
        // HEAD (tus's offset request) is generated from GET: the same headers, no body.
        group.get(":id") { _, context in
            try await respond(context) {
                let session = try await service.session(try Self.id(context))
                return try JSONResponse.make(UploadState(session), headers: Self.headers(session))
            }
        }
        group.patch(":id") { request, context in
            try await respond(context) {
                guard
                    request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                        == Self.offsetOctetStream
                else { throw Problem.notOffsetOctetStream }
                return try await receiveBytes(request, context, id: try Self.id(context), at: nil)
            }
        }
        group.delete(":id") { _, context in
            try await respond(context) {
                try await service.terminate(try Self.id(context))
                return Response(status: .noContent)
            }
        }
    }

    /// One request's bytes at its `Upload-Offset` (or at `offset` for creation-with-upload), under
    /// the cap on concurrent uploads; 204 with the new offset, or the problem.
    private func receiveBytes(_ request: Request, _ context: DocIntakeRequestContext, id: String, at offset: Int64?) async throws -> Response {
        guard let offset = offset ?? request.headers[.uploadOffset].flatMap({ Int64($0) }), offset >= 0 else {
            throw Problem.missingUploadOffset
        }
        var checksum: UploadChecksum?
        if let header = request.headers[.uploadChecksum] {
            guard let parsed = UploadChecksum(header: header) else { throw UploadError.unsupportedChecksum }
            checksum = parsed
        }
        return try await uploads.receive(request, context, limit: service.limits.maxFileSize) { body in
            let session = try await service.append(id, at: offset, body: body, checksum: checksum)
            return Response(status: .noContent, headers: Self.headers(session))
        }
    }

    static func headers(_ session: UploadSessionRecord) -> HTTPFields {
        [
            .uploadOffset: String(session.offset), .uploadLength: String(session.length), .cacheControl: "no-store",
            .uploadExpires: httpDate(session.expiresAt),
        ]
    }

    private func respond(_ context: DocIntakeRequestContext, _ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch {
            return Problem.forResponse(error, logger: context.logger).response()
        }
    }

    /// The upload id of the path; one that cannot be an id is no upload (404 without a lookup).
    static func id(_ context: DocIntakeRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UploadId.isWellFormed(id[...]) else { throw UploadError.notFound }
        return id
    }

    /// Whether a creation request carries the first bytes (creation-with-upload).
    static func carriesBytes(_ request: Request) -> Bool {
        let declared = request.headers[.contentLength].flatMap { Int64($0) }
        return request.headers[.contentType]?.lowercased().hasPrefix(offsetOctetStream) == true && declared != 0
    }

    /// Whether the request declares body bytes the handler may leave unread.
    static func hasBody(_ request: Request) -> Bool {
        (request.headers[.contentLength].flatMap { Int64($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil
    }

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (a value may be absent). A value
    /// that is not Base64 UTF-8 is left out.
    static func metadata(_ header: String?) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in (header ?? "").split(separator: ",") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            guard let key = parts.first.map(String.init) else { continue }
            if parts.count == 1 {
                pairs[key] = ""
            } else if let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
                let value = String(data: data, encoding: .utf8)
            {
                pairs[key] = value
            }
        }
        return pairs
    }

    /// RFC 9110's IMF-fixdate, as `Upload-Expires` takes it. Built by hand: every HEAD and PATCH
    /// answer carries one, and a `DateFormatter` made per answer was an eighth of a HEAD's CPU.
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// `Tus-Resumable` on every answer of the upload API, and 412 for a client of another tus version.
/// OPTIONS, which asks which versions there are, and GET, which is no tus request (a status page
/// may read an upload's verdict), need none.
struct TusHeadersMiddleware: RouterMiddleware {
    typealias Context = DocIntakeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if request.method != .options, request.method != .get, request.headers[.tusResumable] != UploadRoutes.version {
            let unread = UploadRoutes.hasBody(request)
            if unread { context.stopReadingBody() }
            response = Problem.unsupportedTusVersion.response(closeConnection: unread)
            response.headers[.tusVersion] = UploadRoutes.version
        } else {
            response = try await next(request, context)
        }
        response.headers[.tusResumable] = UploadRoutes.version
        return response
    }
}

/// What `GET /api/v1/uploads/{id}` shows of an upload: where it stands and the checks' verdict.
struct UploadState: Encodable, Sendable {
    let state: String
    let slot: String
    let offset: Int64
    let length: Int64
    let expiresAt: Date
    let detectedType: String?
    let sha256: String?
    let refusal: UploadRefusal?

    struct UploadRefusal: Encodable, Sendable {
        let code: String
        let message: String
        let messageEn: String

        enum CodingKeys: String, CodingKey {
            case code, message
            case messageEn = "message_en"
        }
    }

    init(_ session: UploadSessionRecord) {
        state = session.state.rawValue
        slot = session.slot.rawValue
        offset = session.offset
        length = session.length
        expiresAt = session.expiresAt
        detectedType = session.detectedType
        sha256 = session.sha256
        refusal = session.refusalCode.map {
            UploadRefusal(code: $0, message: session.refusalMessage ?? "", messageEn: session.refusalMessageEn ?? "")
        }
    }

    enum CodingKeys: String, CodingKey {
        case state, slot, offset, length, sha256, refusal
        case expiresAt = "expires_at"
        case detectedType = "detected_type"
    }
}

extension Problem {
    static let unsupportedTusVersion = Problem(
        status: .preconditionFailed, code: "unsupported_tus_version",
        detail: "このアップロード方式（tus）のバージョンには対応していません。Tus-Resumable: 1.0.0 で送信してください。",
        detailEn: "This server speaks tus 1.0.0 only: send Tus-Resumable: 1.0.0.")

    static let notOffsetOctetStream = Problem(
        status: .unsupportedMediaType, code: "not_offset_octet_stream",
        detail: "Content-Type: application/offset+octet-stream で送信してください。",
        detailEn: "Send the bytes as Content-Type: application/offset+octet-stream.")

    static let missingUploadOffset = Problem(
        status: .badRequest, code: "missing_upload_offset",
        detail: "Upload-Offset に送信を始める位置（バイト数）を指定してください。",
        detailEn: "Send the offset the bytes start at as Upload-Offset.")
}

extension HTTPField.Name {
    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersion = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
}
