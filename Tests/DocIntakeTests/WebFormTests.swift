import Foundation
import Testing

@testable import DocIntake

/// The web form's pages and files as HTTP sees them: types, security headers, caching, and the
/// server's own limits rendered into the page.
@Suite struct WebFormTests {
    @Test func theFormPageCarriesTheServersCapAndStrictHeaders() async throws {
        try await TestServer.with(maxFileSize: 5 * 1024 * 1024) { server in
            let page = try await Curl.run([server.baseURL + "/"])
            #expect(page.status == 200)
            let headers = page.headers.lowercased()
            #expect(headers.contains("content-type: text/html; charset=utf-8"))
            #expect(headers.contains("x-content-type-options: nosniff"))
            #expect(headers.contains("content-security-policy: default-src 'none'; script-src 'self';"))
            #expect(!headers.contains("unsafe-inline"))
            #expect(headers.contains("cache-control: no-cache"))
            let html = page.text
            #expect(html.contains(#"data-max-file-size="5242880""#))
            #expect(html.contains("5MB（5,242,880 バイト）"), "the cap in words, for people")
            let missing = DomainFacts.prefectures.filter { !html.contains(#"<option value="\#($0.key)">\#($0.key) \#($0.value)</option>"#) }
            #expect(DomainFacts.prefectures.count == 47 && missing.isEmpty, "prefectures missing from the select: \(missing)")
            #expect(!html.contains("{{"), "every template value was filled in")
            // The CSP forbids inline code, so none may be written: every script has a src.
            #expect(html.components(separatedBy: "<script").dropFirst().allSatisfy { $0.hasPrefix(" src=\"/assets/") })
            #expect(!html.contains(" style=") && !html.contains("<style"))
            for label in ["開設届の写し", "開設許可書の写し", "秘密の番号", "テスト開始予定年月", "未定の方は入力不要"] {
                #expect(html.contains(label), "\(label)")
            }
        }
    }

    @Test func assetsAreTypedCachedByVersionAndRevalidated() async throws {
        try await TestServer.with { server in
            let html = try await Curl.run([server.baseURL + "/applications/some-id"]).text
            let links = html.components(separatedBy: "\"/assets/").dropFirst().map { "/assets/" + $0.prefix { $0 != "\"" } }
            // The icon, the stylesheet, common.js, tus.js (replacements go by tus) and status.js.
            #expect(links.count == 5, "\(links)")
            for link in links {
                let asset = try await Curl.run([server.baseURL + link])
                #expect(asset.status == 200)
                let headers = asset.headers.lowercased()
                let type =
                    link.contains(".css")
                    ? "text/css; charset=utf-8"
                    : link.contains(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8"
                #expect(headers.contains("content-type: " + type))
                #expect(headers.contains("cache-control: public, max-age=31536000, immutable"))
                #expect(headers.contains("x-content-type-options: nosniff"))
                let etag = try #require(link.split(separator: "=").last)
                let again = try await Curl.run(["-H", "If-None-Match: \"\(etag)\"", server.baseURL + link])
                #expect(again.status == 304 && again.body.isEmpty)
            }
            let unversioned = try await Curl.run([server.baseURL + "/assets/form.js"])
            #expect(unversioned.headers.lowercased().contains("cache-control: no-cache"))
            let missing = try await Curl.run([server.baseURL + "/assets/..%2FPackage.swift"])
            #expect(missing.status == 404)
            #expect(missing.json["code"] as? String == "not_found")
        }
    }

    @Test func aTemplateNamingAnUnknownValueIsRefused() async throws {
        #expect(try WebAssets.render("<p>{{a}} &amp; {{b}}</p>", values: ["a": "1", "b": "2"]) == "<p>1 &amp; 2</p>")
        #expect(throws: WebAssetsError.self) { try WebAssets.render("{{nope}}", values: [:]) }
        #expect(throws: WebAssetsError.self) { try WebAssets.render("{{open", values: ["open": ""]) }
        #expect(WebAssets.escape(#"<a href="x">&'"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
        #expect(FileSizeText.japanese(104_857_600) == "100MB")
        #expect(FileSizeText.japanese(104_857_601) == "104,857,601 バイト")
        #expect(FileSizeText.bytesText(1000) == "1,000 バイト" && FileSizeText.bytesText(999) == "999 バイト")
    }
}
