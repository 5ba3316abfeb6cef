import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import Scanner
import Storage

/// The reviewers' API under `/api/v1/review`, every endpoint behind a reviewer's bearer token.
struct ReviewRoutes: Sendable {
    let review: ReviewService

    private static let integrityFailures = Counter(label: "docintake_download_integrity_failures_total")

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        let applications = router.group("api/v1/review/applications")
        applications.get { request, context in
            try await authorised(request, context) { _ in
                let statuses = try Self.statuses(request.uri.queryParameters["status"].map(String.init))
                let page = try await review.list(
                    statuses: statuses, after: request.uri.queryParameters["after"].map(String.init),
                    limit: try Self.limit(request.uri.queryParameters["limit"].map(String.init)),
                    receiptNumber: request.uri.queryParameters["receipt_number"].map(String.init))
                return try JSONResponse.make(page)
            }
        }
        applications.get(":id") { request, context in
            try await authorised(request, context) { _ in
                try JSONResponse.make(try await review.detail(try context.parameters.require("id")))
            }
        }
        applications.post(":id/claim") { request, context in
            try await authorised(request, context) { reviewer in
                try JSONResponse.make(try await review.claim(try context.parameters.require("id"), by: reviewer))
            }
        }
        applications.post(":id/decision") { request, context in
            try await authorised(request, context) { reviewer in
                let body: ByteBuffer
                do {
                    body = try await request.body.collect(upTo: Self.maxDecisionBytes)
                } catch is NIOTooManyBytesError {
                    context.stopReadingBody()
                    return Problem.decisionTooLarge(limit: Self.maxDecisionBytes).response(closeConnection: true)
                }
                guard let input = try? JSONDecoder().decode(DecisionInput.self, from: Data(buffer: body)),
                    let decision = Decision(rawValue: input.decision)
                else { throw Problem.invalidDecision }
                return try JSONResponse.make(
                    try await review.decide(
                        try context.parameters.require("id"), decision: decision, reason: input.reason, by: reviewer))
            }
        }
        applications.get(":id/documents/:slot") { request, context in
            try await authorised(request, context) { reviewer in
                guard let slot = DocumentSlot(rawValue: try context.parameters.require("slot")) else { throw ReviewRefusal.notFound }
                let id = try context.parameters.require("id")
                // A HEAD sends no byte of the document: it has no Range (RFC 9110 §14.2) and is not audited.
                let isHead = request.method == .head
                let download = try await review.download(
                    id, slot: slot, range: isHead ? nil : RequestedRange(header: request.headers[.range]),
                    ifRange: request.headers[.ifRange], by: reviewer, audited: !isHead)
                context.logger.info(
                    isHead ? "document head" : "document download",
                    metadata: [
                        "application.id": .string(id), "slot": .string(slot.rawValue), "reviewer": .string(reviewer.name),
                    ])
                return Self.response(for: download, logger: context.logger)
            }
        }
    }

    struct DecisionInput: Decodable {
        var decision: String
        var reason: String?
    }

    /// A decision is a word and a reason: 64 KiB is far more than any reason needs.
    static let maxDecisionBytes = 64 * 1024

    /// 1 to 200, 50 when absent; anything else is refused rather than guessed at.
    static func limit(_ parameter: String?) throws -> Int {
        guard let parameter else { return 50 }
        guard let limit = Int(parameter), (1...200).contains(limit) else { throw Problem.invalidLimit(parameter) }
        return limit
    }

    static func statuses(_ parameter: String?) throws -> Set<ApplicationStatus>? {
        guard let parameter, !parameter.isEmpty else { return [.submitted, .underReview] }
        if parameter == "all" { return nil }
        var statuses = Set<ApplicationStatus>()
        for name in parameter.split(separator: ",") {
            guard let status = ApplicationStatus(rawValue: String(name)) else { throw Problem.invalidStatus(String(name)) }
            statuses.insert(status)
        }
        return statuses
    }

    /// Streams the document; if the blob turns out corrupt, the stream throws before its last
    /// chunk, so the connection is aborted and no client can complete a download of bad bytes.
    static func response(for download: DocumentDownload, logger: Logger) -> Response {
        let document = download.document
        let digest = download.digest
        let savedName =
            DocumentType(rawValue: document.detectedType).map { DisplayFileName.forDownload(document.originalFilename, type: $0) }
            ?? document.originalFilename
        var headers: HTTPFields = [
            .contentType: document.mimeType,
            .contentLength: String(document.size - download.offset),
            .eTag: "\"\(digest.hex)\"",
            .contentDisposition: AttachmentHeader.attachment(filename: savedName),
            .cacheControl: "no-store",
            .acceptRanges: "bytes",
        ]
        headers[HTTPField.Name("Repr-Digest")!] = "sha-256=:\(Data(digest.bytes).base64EncodedString()):"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if download.offset > 0 {
            headers[.contentRange] = "bytes \(download.offset)-\(document.size - 1)/\(document.size)"
        }
        let body = ResponseBody { writer in
            do {
                while let chunk = try await download.next() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            } catch BlobStoreError.corrupt(let digest) {
                integrityFailures.increment()
                logger.error(
                    "aborting download: blob failed verification",
                    metadata: [
                        "application.id": .string(document.applicationId), "slot": .string(document.slot.rawValue), "sha256": .string(digest.hex),
                    ])
                throw BlobStoreError.corrupt(digest)
            }
        }
        return Response(status: download.offset > 0 ? .partialContent : .ok, headers: headers, body: body)
    }

    private func authorised(
        _ request: Request, _ context: DocIntakeRequestContext, _ handler: (ReviewerRecord) async throws -> Response
    ) async throws -> Response {
        do {
            let reviewer = try await review.reviewer(token: request.bearerToken)
            return try await handler(reviewer)
        } catch BlobStoreError.corrupt(let digest) {
            Self.integrityFailures.increment()
            context.logger.error("refusing download: blob failed verification", metadata: ["sha256": .string(digest.hex)])
            return Problem.blobCorrupt.response()
        } catch BlobStoreError.notFound(let digest) {
            context.logger.error("refusing download: the blob is missing", metadata: ["sha256": .string(digest.hex)])
            return Problem.blobMissing.response()
        } catch ReviewRefusal.rangeNotSatisfiable(let size) {
            var response = Problem(ReviewRefusal.rangeNotSatisfiable(size: size)).response()
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        } catch {
            return Problem.forResponse(error, logger: context.logger).response()
        }
    }
}
