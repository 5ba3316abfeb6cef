import DocIntakeAPI
import Foundation
import Storage
import Testing

@testable import DocIntake

/// The wire types the server writes and the reviewer client reads (Sources/DocIntakeAPI) against
/// `openapi.yaml`: a sample of each, every optional property set, encoded as the server encodes
/// it, must validate against its schema and carry exactly the properties the schema declares, both
/// ways; each enum must have the schema's cases. So a property renamed, added or dropped on either
/// side fails here, even where a live answer would never show it. Support/wire_check.py compares.
@Suite struct WireTypeTests {
    static let at = Date(timeIntervalSince1970: 1_796_000_000)
    static let sha256 = String(repeating: "ab", count: 32)

    static let document = DocumentSummary(
        slot: DocumentSlot.openingPermit.rawValue, filename: "開設許可書の写し.png", size: 1024, sha256: sha256, type: "png",
        uploadedAt: at, supersededAt: at, quarantinedAt: at)

    static let warning = FieldMessage(
        field: "institution_code", code: "check_digit", message: "検証番号が一致しません。", messageEn: "The check digit does not match.")

    static let detail = ApplicationDetail(
        id: "app-1", receiptNumber: "20261207-7KQ2MX", status: ApplicationStatus.returned.rawValue,
        fields: .init(
            institutionKind: "workplace_clinic", prefectureCode: "13", institutionCode: "1234567", institutionName: "検証診療所",
            applicationKind: "new", lineType: "1", customerIdType: "CAF", customerId: "1234567890", plannedStartMonth: "2027-04",
            plannedTestMonth: "2027-03", certificateFeePayment: "invoice", contactEmail: "clinic@example.jp"),
        warnings: [warning], documents: [document],
        history: [.init(at: at, action: "return", actor: "reviewer:sato", fromStatus: "under_review", toStatus: "returned", reason: "不鮮明")],
        resubmittedAt: at,
        changesSinceReturn: [.init(at: at, kind: "field_corrected", item: "institution_name", label: "医療機関等名", old: "旧", new: "新")],
        createdAt: at, updatedAt: at)

    static let page = ApplicationPage(
        applications: [
            ApplicationSummary(
                id: "app-1", receiptNumber: "20261207-7KQ2MX", status: ApplicationStatus.submitted.rawValue,
                institutionKind: "workplace_clinic", institutionName: "検証診療所", createdAt: at, updatedAt: at, documentCount: 2,
                resubmittedAt: at)
        ],
        nextCursor: "42")

    /// The server's own problem, through the one body type it writes.
    static let problem = Problem(
        status: .unprocessableContent, code: "validation_failed", detail: "入力内容に誤りがあります。", detailEn: "Some fields are not valid.",
        errors: [FieldError(field: "contact_email", code: "format", message: "形式が正しくありません。", messageEn: "Not an email address.")])

    /// The applicant's side, built from records as the server builds it: a receipt, and the status
    /// page's view with a journey whose steps carry a reason (差戻し) and a note (申請内容の修正).
    static let receipt = SubmissionReceipt(
        id: "app-1", receiptNumber: "20261207-7KQ2MX", status: .submitted, accessToken: "dia_token", warnings: [warning],
        documents: [document])

    static func applicantView() throws -> ApplicantView {
        let record = ApplicationRecord(
            id: "app-1", receiptNumber: "20261207-7KQ2MX", status: .returned, institutionKind: .workplaceClinic,
            prefectureCode: "13", institutionCode: "1234567", institutionName: "検証診療所", applicationKind: .new,
            termsAgreed: true, lineType: "1", customerIdType: .caf, customerId: "1234567890", fletsV6Confirmed: true,
            plannedStartMonth: "2027-04", plannedTestMonth: "2027-03", secretNumberHash: "pbkdf2-sha256$1$x$y",
            certificateFeePayment: .invoice, contactEmail: "clinic@example.jp", accessTokenHash: "hash",
            warnings: String(decoding: try JSONResponse.encoder.encode([warning]), as: UTF8.self), createdAt: at)
        var stored = DocumentRecord(
            applicationId: "app-1", slot: .openingPermit, blobSha256: sha256, size: 1024, originalFilename: "開設許可書の写し.png",
            detectedType: "png", mimeType: "image/png", uploadedAt: at)
        stored.supersededAt = at
        stored.quarantinedAt = at
        let audit = [
            AuditEntry(applicationId: "app-1", at: at, actor: "reviewer:sato", action: AuditAction.return, reason: "不鮮明"),
            AuditEntry(
                applicationId: "app-1", at: at, actor: "applicant", action: AuditAction.correctFields,
                detail: AuditDetail(changes: [.init(field: "institution_name", old: "旧", new: "新")]).json()),
        ]
        return ApplicantView(record, documents: [stored], audit: audit)
    }

    static func sample(_ name: String, _ pointer: String, _ value: some Encodable) throws -> [String: Any] {
        ["name": name, "pointer": pointer, "instance": try JSONSerialization.jsonObject(with: try JSONResponse.encoder.encode(value))]
    }

    /// A form field's codes against the choices the document lists for it.
    static func choices(_ field: String, _ cases: [String]) -> [String: Any] {
        ["name": field, "pointer": "/components/schemas/ApplicationForm/properties/\(field)", "enum": cases]
    }

    static func samples() throws -> [[String: Any]] {
        [
            try sample("ApplicationDetail", "/components/schemas/Application", detail),
            try sample("ApplicationPage", "/components/schemas/ApplicationPage", page),
            try sample("SubmissionReceipt", "/components/schemas/SubmissionReceipt", receipt),
            try sample("ApplicantView", "/components/schemas/ApplicantApplication", try applicantView()),
            try sample("DocumentSummary", "/components/schemas/Document", document),
            try sample("FieldMessage", "/components/schemas/Warning", warning),
            try sample("ProblemDetails", "/components/schemas/Problem", problem.details),
            ["name": "ApplicationStatus", "pointer": "/components/schemas/Status", "enum": ApplicationStatus.allCases.map(\.rawValue)],
            ["name": "DocumentSlot", "pointer": "/components/schemas/Slot", "enum": DocumentSlot.allCases.map(\.rawValue)],
            choices("institution_kind", InstitutionKind.allCases.map(\.rawValue)),
            choices("application_kind", ApplicationKind.allCases.map(\.rawValue)),
            choices("customer_id_type", CustomerIdType.allCases.map(\.rawValue)),
            choices("certificate_fee_payment", CertificateFeePayment.allCases.map(\.rawValue)),
            choices("line_type", Array(LineTypes.names.keys)),
            // The form's fields, its two file parts and the two fields that may name resumable uploads
            // instead are the form's properties, no more, no fewer.
            [
                "name": "FormField", "pointer": "/components/schemas/ApplicationForm",
                "properties": FormField.allCases.map(\.rawValue) + DocumentSlot.allCases.map(\.rawValue)
                    + DocumentSlot.allCases.map(UploadService.fieldName),
            ],
            [
                "name": "Decision",
                "pointer": "/paths/~1api~1v1~1review~1applications~1{id}~1decision"
                    + "/post/requestBody/content/application~1json/schema/properties/decision",
                "enum": Decision.allCases.map(\.rawValue),
            ],
        ]
    }

    @Test func theWireTypesAndOpenAPIAgreeBothWays() async throws {
        let file = NSTemporaryDirectory() + "wire-samples-" + UUID().uuidString + ".json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try JSONSerialization.data(withJSONObject: try Self.samples()).write(to: URL(fileURLWithPath: file))
        let (data, status) = try await PythonScript.run([
            OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Support/wire_check.py").path,
            OpenAPITests.root.appendingPathComponent("openapi.yaml").path, file,
        ])
        let summary = try #require(
            try JSONSerialization.jsonObject(with: data) as? [String: Any],
            "wire_check.py printed no summary: \(String(decoding: data, as: UTF8.self))")
        #expect((summary["failures"] as? [String] ?? ["missing"]).isEmpty, "\(summary["failures"] ?? "")")
        // Every sample and every object in it was compared.
        #expect((summary["checked"] as? Int ?? 0) >= 20, "\(summary)")
        #expect(status == 0)
    }

    /// What the server writes, the client reads back unchanged: the same type, the same dates.
    @Test func whatTheServerWritesDecodesToTheSameValue() async throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ApplicationDetail.self, from: JSONResponse.encoder.encode(Self.detail)) == Self.detail)
        #expect(try decoder.decode(ApplicationPage.self, from: JSONResponse.encoder.encode(Self.page)) == Self.page)
        #expect(try decoder.decode(ProblemDetails.self, from: JSONResponse.encoder.encode(Self.problem.details)) == Self.problem.details)
    }
}
