import Testing

@testable import ReviewClient

struct ConnectionTests {
    @Test func aTokenIsNeverShownByItsDescriptions() async throws {
        let token = try BearerToken("dir_s3cr3t-value")
        #expect(!"\(token)".contains("s3cr3t"))
        #expect(!String(reflecting: token).contains("s3cr3t"))
        #expect(token.value == "dir_s3cr3t-value")
    }

    @Test func aPastedTokenLosesItsLineBreakButNothingElse() async throws {
        #expect(try BearerToken("  dir_abc\n").value == "dir_abc")
        #expect(throws: ReviewError.malformedToken) { try BearerToken("dir_abc\r\nX-Injected: 1") }
        #expect(throws: ReviewError.malformedToken) { try BearerToken("dir_ä") }
        #expect(throws: ReviewError.missingToken) { try BearerToken(" \n") }
        #expect(try BearerToken("dia_x").isApplicantToken)
        #expect(try !BearerToken("dir_x").isApplicantToken)
    }

    @Test func serverURLsAreNormalised() async throws {
        #expect(try ServerAddress("https://docintake.example.jp/").display == "https://docintake.example.jp")
        #expect(try ServerAddress("HTTP://127.0.0.1:8080").display == "http://127.0.0.1:8080")
        let prefixed = try ServerAddress("https://example.jp/intake//")
        #expect(prefixed.reviewURL(["applications", "a/b?c"]) == "https://example.jp/intake/api/v1/review/applications/a%2Fb%3Fc")
        #expect(
            prefixed.reviewURL(["applications"], query: [("after", "a&b=c")])
                == "https://example.jp/intake/api/v1/review/applications?after=a%26b%3Dc")
    }

    @Test(arguments: [
        "ftp://example.jp", "example.jp", "http://", "https://user:pw@example.jp", "http://example.jp?x=1", "http://example.jp/#top", "",
    ])
    func serverURLsThatCannotBeUsedAreRefused(text: String) {
        #expect(throws: ReviewError.invalidServer(text)) { try ServerAddress(text) }
    }

    @Test func plainHTTPToAnotherHostIsWarnedAbout() async throws {
        #expect(try ServerAddress("http://docintake.example.jp").cleartextWarning != nil)
        #expect(try ServerAddress("http://127.0.0.1:8080").cleartextWarning == nil)
        #expect(try ServerAddress("http://localhost:8080").cleartextWarning == nil)
        #expect(try ServerAddress("https://docintake.example.jp").cleartextWarning == nil)
    }

    @Test func everyCauseHasItsDocumentedExitCode() {
        let expected: [(ReviewError, Int32)] = [
            (.integrity(.missingDigest(file: "f")), 1),
            (.missingServer, 2), (.invalidServer("x"), 2), (.malformedToken, 2),
            (.unreachable(server: "s", reason: "r"), 3),
            (.missingToken, 4), (.unauthorized(nil), 4), (.forbidden(nil, applicantToken: true), 4),
            (.notFound(subject: "s", nil), 5), (.conflict(nil), 5), (.httpError(status: 500, nil), 5),
            (.invalidResponse("x"), 5), (.noCurrentDocument(slot: "s", receiptNumber: "r"), 5),
            (.fileSystem(operation: "write", path: "p", errno: 28), 6),
        ]
        for (error, code) in expected {
            #expect(error.exitCause.rawValue == code, "\(error)")
        }
        #expect(Set(ExitCause.allCases.map(\.rawValue)).count == ExitCause.allCases.count)
        #expect(ExitCause.helpText.split(separator: "\n").count == ExitCause.allCases.count)
    }
}
