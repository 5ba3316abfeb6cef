import Foundation
import Testing

@testable import DocIntake

/// Every document rule of domain.md, through the real endpoint with real files.
@Suite(.serialized) struct DocumentRuleTests {
    struct ManifestEntry: Decodable {
        var file: String
        var accepted: Bool
        var type: String?
        var reason: String?
    }

    static let manifest: [ManifestEntry] = {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("manifest.json")))) ?? Data()
        return (try? JSONDecoder().decode([ManifestEntry].self, from: data)) ?? []
    }()

    func submit(
        _ server: TestServer, notification: String, fields: [String: String] = ApplicationFields.workplaceClinic,
        extra: [String] = []
    ) async throws -> Curl.Result {
        try await Curl.run(
            ApplicationFields.curlArguments(fields) + [
                "-F", "opening_notification=@\(notification)",
                "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
            ] + extra + [server.baseURL + "/api/v1/applications"])
    }

    @Test func everyFixtureGetsItsVerdictThroughTheEndpoint() async throws {
        #expect(Self.manifest.count >= 20, "the fixture manifest is missing or nearly empty")
        try await TestServer.with { server in
            for entry in Self.manifest {
                let result = try await submit(server, notification: Fixtures.path(entry.file))
                if entry.accepted {
                    #expect(result.status == 201, "\(entry.file): \(result.text)")
                    let documents = result.json["documents"] as? [[String: Any]] ?? []
                    let notification = documents.first { $0["slot"] as? String == "opening_notification" }
                    #expect(notification?["type"] as? String == entry.type, "\(entry.file)")
                    #expect(notification?["filename"] as? String == entry.file, "file names survive as sent")
                } else {
                    let expectedStatus = entry.reason == "type_not_allowed" ? 415 : 422
                    #expect(result.status == expectedStatus, "\(entry.file): \(result.text)")
                    #expect(result.json["code"] as? String == entry.reason, "\(entry.file)")
                    #expect(result.fieldCodes["opening_notification"] == entry.reason, "\(entry.file)")
                    #expect((result.json["detail"] as? String)?.contains("開設届の写し") == true)
                }
            }
            #expect(try server.tempFiles().isEmpty, "no rejected upload may leave a temp file")
            let stores = try await server.stores()
            let accepted = Self.manifest.filter(\.accepted).count
            #expect(try await stores.metadata.applications(statuses: nil, after: nil, limit: 1000).count == accepted)
        }
    }

    @Test func aSecondFileForASlotAndAnUnknownFilePartAreRefused() async throws {
        try await TestServer.with { server in
            let duplicate = try await submit(
                server, notification: Fixtures.path("tiny-reportlab.pdf"),
                extra: ["-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))"])
            #expect(duplicate.status == 422)
            #expect(duplicate.json["code"] as? String == "duplicate_file")
            let unknown = try await submit(
                server, notification: Fixtures.path("tiny-reportlab.pdf"),
                extra: ["-F", "attachment3=@\(Fixtures.path("tiny-reportlab.pdf"))"])
            #expect(unknown.status == 422)
            #expect(unknown.fieldCodes["attachment3"] == "unknown_part")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aNewWorkplaceClinicApplicationNeedsBothDocuments() async throws {
        try await TestServer.with { server in
            let result = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                    "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", server.baseURL + "/api/v1/applications",
                ])
            #expect(result.status == 422)
            #expect(result.fieldCodes == ["opening_notification": "required"])
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aFileOfExactlyTheCapIsAcceptedAndOneByteMoreIsNot() async throws {
        let cap: Int64 = 1024 * 1024
        let directory = NSTemporaryDirectory() + "docintake-cap-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        @Sendable func pdf(size: Int64) throws -> String {
            let head = Array("%PDF-1.4\n".utf8)
            let tail = Array("\n%%EOF\n".utf8)
            let bytes = head + [UInt8](repeating: 0x20, count: Int(size) - head.count - tail.count) + tail
            let path = "\(directory)/\(size).pdf"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        try await TestServer.with(maxFileSize: cap) { server in
            let atCap = try await submit(server, notification: try pdf(size: cap))
            #expect(atCap.status == 201, "\(atCap.text)")
            let overCap = try await submit(server, notification: try pdf(size: cap + 1))
            #expect(overCap.status == 413)
            #expect(overCap.json["code"] as? String == "file_too_large")
            #expect(overCap.fieldCodes["opening_notification"] == "file_too_large")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aDeclaredLengthOverTheBoundIsRefusedBeforeTheBody() async throws {
        try await TestServer.with(maxFileSize: 1024 * 1024) { server in
            // Expect: 100-continue with an oversize length: no 100, a 413 at once.
            let result = try await Curl.run([
                "-X", "POST", "-H", "Expect: 100-continue", "-H", "Content-Type: multipart/form-data; boundary=x",
                "-H", "Content-Length: \(4 * 1024 * 1024)", "--data-binary", "@/dev/null", "--max-time", "5",
                server.directBaseURL + "/api/v1/applications",
            ])
            #expect(result.status == 413)
            #expect(!result.headers.contains("100 Continue"))
            #expect(result.json["code"] as? String == "request_too_large")
        }
    }

    @Test func aBodyThatIsNotMultipartGetsAClearError() async throws {
        try await TestServer.with { server in
            let json = try await Curl.run(["-H", "Content-Type: application/json", "--data", "{}", server.baseURL + "/api/v1/applications"])
            #expect(json.status == 415)
            #expect(json.json["code"] as? String == "not_multipart")
            let broken = try await Curl.run([
                "-H", "Content-Type: multipart/form-data; boundary=abc", "--data-binary", "--abc\r\nnonsense",
                server.baseURL + "/api/v1/applications",
            ])
            #expect(broken.status == 400)
            #expect(broken.json["code"] as? String == "malformed_multipart")
        }
    }
}
