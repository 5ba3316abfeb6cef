import Foundation
import HTTPTypes
import Hummingbird

/// The applicant's web form: `GET /`, the status page `GET /applications/{id}` and their static
/// files under `/assets/`. The pages only call the JSON API; they hold no logic of their own
/// beyond early hints, so the server's verdict is always the one shown.
struct WebRoutes: Sendable {
    let assets: WebAssets

    /// No inline script or style, nothing from another origin, no framing: the page handles a
    /// secret number and an access token.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        router.get("/") { request, _ in Self.response(assets.formPage, request: request, cache: "no-cache") }
        router.get("applications/:id") { request, _ in
            Self.response(assets.statusPage, request: request, cache: "no-cache")
        }
        // Browsers that ignore the pages' <link rel="icon"> ask for this one.
        router.get("favicon.ico") { request, _ in
            Self.response(assets.files["favicon.svg"]!, request: request, cache: "public, max-age=86400")
        }
        router.get("assets/:name") { request, context in
            guard let asset = assets.files[try context.parameters.require("name")] else {
                return Problem(
                    status: .notFound, code: "not_found", detail: "ファイルが見つかりません。",
                    detailEn: "No such file."
                ).response()
            }
            // A URL carrying the content's version never changes; any other is revalidated.
            let versioned = request.uri.queryParameters["v"].map(String.init) == asset.etag
            return Self.response(asset, request: request, cache: versioned ? "public, max-age=31536000, immutable" : "no-cache")
        }
    }

    private static func response(_ asset: WebAssets.Asset, request: Request, cache: String) -> Response {
        let etag = "\"\(asset.etag)\""
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: cache, .eTag: etag,
            HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) == true {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
