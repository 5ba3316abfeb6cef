import Foundation
import Hummingbird
import Logging

/// The applicant's API: `POST /api/v1/applications` and what follows from it.
struct ApplicantRoutes: Sendable {
    let intake: IntakeService
    /// Uploads received at once, across both upload routes.
    let uploads: UploadGate

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        let applications = router.group("api/v1/applications")
        applications.post { request, context in
            try await upload(request, context, limit: intake.limits.maxRequestBytes) { body in
                let receipt = try await intake.submit(body: body, contentType: request.headers[.contentType])
                context.logger.info(
                    "application submitted",
                    metadata: [
                        "application.id": .string(receipt.id), "receipt": .string(receipt.receiptNumber),
                        "documents": .stringConvertible(receipt.documents.count),
                    ])
                return try JSONResponse.make(
                    receipt, status: .created,
                    headers: [.location: "/api/v1/applications/\(receipt.id)"])
            }
        }
        applications.get(":id") { request, context in
            try await respond(context) {
                try JSONResponse.make(try await intake.view(try context.parameters.require("id"), token: request.bearerToken))
            }
        }
        applications.put(":id/documents/:slot") { request, context in
            try await upload(request, context, limit: intake.limits.maxSingleDocumentRequestBytes) { body in
                guard let slot = DocumentSlot(rawValue: try context.parameters.require("slot")) else {
                    throw IntakeError.unknownPart(try context.parameters.require("slot"))
                }
                let document = try await intake.replaceDocument(
                    try context.parameters.require("id"), slot: slot, token: request.bearerToken, body: body,
                    contentType: request.headers[.contentType])
                return try JSONResponse.make(document)
            }
        }
        applications.patch(":id") { request, context in
            try await respond(context) {
                let body = try await request.body.collect(upTo: 64 * 1024)
                guard let input = try? JSONDecoder().decode([String: String].self, from: Data(buffer: body)) else {
                    throw Problem.invalidCorrection
                }
                return try JSONResponse.make(
                    try await intake.correctFields(
                        try context.parameters.require("id"), token: request.bearerToken, input: input))
            }
        }
        applications.post(":id/resubmit") { request, context in
            try await respond(context) {
                let body = try await request.body.collect(upTo: 64 * 1024)
                let input = try? JSONDecoder().decode(ResubmitInput.self, from: Data(buffer: body))
                return try JSONResponse.make(
                    try await intake.resubmit(
                        try context.parameters.require("id"), token: request.bearerToken, confirmedUnchanged: input?.confirmUnchanged == true))
            }
        }
    }

    /// The optional body of a resubmission: `{"confirm_unchanged": true}` resubmits without changes.
    struct ResubmitInput: Decodable {
        var confirmUnchanged: Bool?

        enum CodingKeys: String, CodingKey { case confirmUnchanged = "confirm_unchanged" }
    }

    /// Runs an upload handler under the cap on concurrent uploads (`UploadGate.receive`).
    private func upload(
        _ request: Request, _ context: DocIntakeRequestContext, limit: Int64,
        _ handler: (TrackedBody<RequestBody>) async throws -> Response
    ) async throws -> Response {
        try await uploads.receive(request, context, limit: limit, handler)
    }

    private func respond(_ context: DocIntakeRequestContext, _ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch {
            return Problem.forResponse(error, logger: context.logger).response()
        }
    }
}
