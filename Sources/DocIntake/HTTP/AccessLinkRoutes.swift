import Foundation
import Hummingbird

/// `POST /api/v1/access-links`: 「アクセス用のリンクを再送する」. The answer is 202 with the same
/// words whether or not the 受付番号 and email matched; only the rate limit (429) differs, and it
/// counts every request alike.
struct AccessLinkRoutes: Sendable {
    let service: AccessLinkService
    /// Behind these (the reverse proxy), the client is the address the proxy names: otherwise every
    /// applicant would share the proxy's one allowance.
    let trustedProxies: Set<String>

    struct Input: Decodable {
        var receiptNumber: String
        var contactEmail: String

        enum CodingKeys: String, CodingKey {
            case receiptNumber = "receipt_number"
            case contactEmail = "contact_email"
        }
    }

    /// The one answer to every accepted request.
    struct Accepted: Encodable {
        var detail =
            "受付番号と連絡先メールアドレスが申請内容と一致した場合、アクセス用のリンクをそのメールアドレスへお送りしました。"
            + "届かない場合は、入力内容を確認するか、窓口へお問い合わせください。"
        var detailEn = "If the receipt number and the email match an application, a fresh access link was sent to that address."

        enum CodingKeys: String, CodingKey {
            case detail
            case detailEn = "detail_en"
        }
    }

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        router.post("api/v1/access-links") { request, context in
            do {
                let body = try await request.body.collect(upTo: 16 * 1024)
                guard let input = try? JSONDecoder().decode(Input.self, from: Data(buffer: body)) else { throw Problem.invalidAccessLinkRequest }
                let client = RequestLogMiddleware.clientAddress(
                    peer: context.channel.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor],
                    trustedProxies: trustedProxies)
                try await service.request(receiptNumber: input.receiptNumber, email: input.contactEmail, client: client)
                // Neither the 受付番号 nor the address: the log must not tell which pairs exist.
                context.logger.info("access link requested")
                return try JSONResponse.make(Accepted(), status: .accepted)
            } catch AccessLinkError.rateLimited(let wait) {
                context.logger.info("access link request refused: rate limit", metadata: ["retry_after": "\(wait)"])
                var response = Problem.accessLinkRateLimited.response()
                response.headers[.retryAfter] = String(wait)
                return response
            } catch {
                return Problem.forResponse(error, logger: context.logger).response()
            }
        }
    }
}
