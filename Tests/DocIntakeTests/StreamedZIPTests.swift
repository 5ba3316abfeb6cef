import Foundation
import Scanner
import Testing

/// A ZIP upload's entries are inflated while its bytes arrive (issue 13); the final stage then relies
/// on what was recorded. Through the real endpoint, each kind of entry must get the verdict the
/// final stage alone gives the same file.
@Suite(.serialized) struct StreamedZIPTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/zip_entries.py").path

    @Test func everyKindOfEntryGetsTheFinalStagesVerdictThroughTheEndpoint() async throws {
        let directory = NSTemporaryDirectory() + "docintake-zip-entries-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try await PythonScript.json(Self.script, [directory], as: [String].self)
        // What each file is, so that agreeing verdicts cannot both be wrong in the same way.
        let expected: [String: String] = [
            "lying-sizes.xlsx": "zip_unsafe", "bad-crc.xlsx": "corrupt", "descriptors-deflated.xlsx": "xlsx",
            "descriptors-stored.xlsx": "xlsx", "descriptors-bad-crc.xlsx": "corrupt", "local-header-stub.xlsx": "corrupt",
            "pdf-line-then-zip.pdf": "polyglot",
        ]
        #expect(Set(expected.keys).isSubset(of: files))
        try await TestServer.with { server in
            for file in files {
                let path = directory + "/" + file
                let today: String
                switch try DocumentScanner().scan(fileAt: path).result {
                case .success(let type): today = type.rawValue
                case .failure(let rejection): today = rejection.reason.rawValue
                }
                if let want = expected[file] { #expect(today == want, "\(file)") }
                let result = try await Curl.run(
                    ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                        "-F", "opening_notification=@\(path)", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                        server.baseURL + "/api/v1/applications",
                    ])
                if result.status == 201 {
                    let documents = result.json["documents"] as? [[String: Any]] ?? []
                    let notification = documents.first { $0["slot"] as? String == "opening_notification" }
                    #expect(notification?["type"] as? String == today, "\(file): \(result.text)")
                } else {
                    #expect(result.fieldCodes["opening_notification"] == today, "\(file): \(result.text)")
                }
            }
            #expect(try server.tempFiles().isEmpty, "no rejected upload may leave a temp file")
        }
    }
}
