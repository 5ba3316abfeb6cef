import Foundation
import Testing

@testable import DocIntake

/// One request, one answer with every error in it: a clinic fixes everything in one round trip
/// instead of one thing per 100 MB upload.
@Suite struct EveryErrorAtOnceTests {
    func post(
        _ server: TestServer, fields: [String: String], files: [(slot: String, path: String)],
        filesFirst: Bool = false
    ) async throws -> Curl.Result {
        let fileArguments = files.flatMap { ["-F", "\($0.slot)=@\($0.path)"] }
        let fieldArguments = ApplicationFields.curlArguments(fields)
        let arguments = filesFirst ? fileArguments + fieldArguments : fieldArguments + fileArguments
        return try await Curl.run(arguments + [server.baseURL + "/api/v1/applications"])
    }

    func errorCount(_ result: Curl.Result) -> Int { (result.json["errors"] as? [[String: Any]])?.count ?? 0 }

    @Test func aMacroWorkbookAndThreeBadFieldsAreAnsweredOnceWithAllFour() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.workplaceClinic
            fields["prefecture_code"] = "48"
            fields["customer_id_confirmation"] = "1234567899"
            fields["contact_email"] = "clinic-at-example.jp"
            let result = try await post(
                server, fields: fields,
                files: [
                    ("opening_notification", Fixtures.path("tiny-reportlab.pdf")),
                    ("opening_permit", Fixtures.path("macro-libreoffice.xlsm")),
                ])
            #expect(result.status == 422, "\(result.text)")
            #expect(result.json["code"] as? String == "validation_failed")
            #expect(
                result.fieldCodes == [
                    "prefecture_code": "format", "customer_id_confirmation": "mismatch", "contact_email": "format",
                    "opening_permit": "macro_enabled",
                ])
            #expect(errorCount(result) == 4)
            // In the form's order, the document last, as the page lists them.
            let order = (result.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(order == ["prefecture_code", "customer_id_confirmation", "contact_email", "opening_permit"])
            #expect(try server.tempFiles().isEmpty)
            #expect(try await server.stores().metadata.applications(statuses: nil, after: nil, limit: 10).isEmpty)
        }
    }

    @Test func bothDocumentsRefusedAtTheFinalStageAreBothListed() async throws {
        try await TestServer.with { server in
            let result = try await post(
                server, fields: ApplicationFields.workplaceClinic,
                files: [
                    ("opening_notification", Fixtures.path("truncated-half.pdf")),
                    ("opening_permit", Fixtures.path("zipslip-dotdot.xlsx")),
                ])
            #expect(result.status == 422, "\(result.text)")
            #expect(result.json["code"] as? String == "validation_failed")
            #expect(result.fieldCodes == ["opening_notification": "truncated", "opening_permit": "zip_unsafe"])
            let messages = (result.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.first?.hasPrefix("開設届の写し: ") == true, "\(messages)")
            #expect(messages.last?.hasPrefix("開設許可書の写し: ") == true, "\(messages)")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aLoneDocumentRefusalKeepsItsOwnCode() async throws {
        try await TestServer.with { server in
            let result = try await post(
                server, fields: ApplicationFields.workplaceClinic,
                files: [
                    ("opening_notification", Fixtures.path("encrypted-msoffcrypto.xlsx")),
                    ("opening_permit", Fixtures.path("scan-pillow.png")),
                ])
            #expect(result.status == 422)
            #expect(result.json["code"] as? String == "encrypted")
            #expect(result.fieldCodes == ["opening_notification": "encrypted"])
        }
    }

    @Test func aPrefixRefusalStopsAtOnceAndStillListsTheFieldsBeforeIt() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.workplaceClinic
            fields["planned_start_month"] = "来年"
            fields["secret_number_confirmation"] = "0000"
            let result = try await post(
                server, fields: fields,
                files: [
                    ("opening_notification", Fixtures.path("photo.jpg")),
                    ("opening_permit", Fixtures.path("scan-pillow.png")),
                ])
            #expect(result.status == 415, "\(result.text)")
            #expect(result.json["code"] as? String == "type_not_allowed")
            #expect(
                result.fieldCodes == [
                    "planned_start_month": "format", "secret_number_confirmation": "mismatch", "opening_notification": "type_not_allowed",
                ])
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func fieldsThatHaveNotArrivedAreNotReportedMissing() async throws {
        try await TestServer.with { server in
            // A script that sends the file first: the upload stops there, before any field.
            let result = try await post(
                server, fields: ApplicationFields.workplaceClinic,
                files: [
                    ("opening_notification", Fixtures.path("rose.gif"))
                ], filesFirst: true)
            #expect(result.status == 415, "\(result.text)")
            #expect(result.fieldCodes == ["opening_notification": "type_not_allowed"])
        }
    }

    @Test func aTextFieldThatIsNotUTF8IsAFormatErrorAtThatField() async throws {
        try await TestServer.with { server in
            let directory = NSTemporaryDirectory() + "docintake-utf8-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // Shift_JIS 「医院」, as a misconfigured client would send it.
            let value = directory + "/name.txt"
            try Data([0x88, 0xE3, 0x89, 0x40]).write(to: URL(fileURLWithPath: value))
            var fields = ApplicationFields.medical
            fields.removeValue(forKey: "institution_name")
            fields["contact_email"] = "bad"
            let result = try await Curl.run(
                ApplicationFields.curlArguments(fields) + [
                    "-F", "institution_name=<\(value)", server.baseURL + "/api/v1/applications",
                ])
            #expect(result.status == 422, "\(result.text)")
            #expect(result.fieldCodes == ["institution_name": "format", "contact_email": "format"])
            let message = (result.json["errors"] as? [[String: Any]])?.first { $0["field"] as? String == "institution_name" }?["message"]
            #expect(message as? String == FormMessages.Message.notUTF8.ja)
            #expect(!result.text.contains("\u{FFFD}"))
            #expect(try await server.stores().metadata.applications(statuses: nil, after: nil, limit: 10).isEmpty)
        }
    }
}
