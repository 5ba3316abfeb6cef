import Testing

@testable import DocIntake

/// The form's rules of domain.md, checked without a server.
@Suite struct ApplicationFormTests {
    static var medical: [String: String] { ApplicationFields.medical }

    func errors(_ fields: [String: String], slots: Set<DocumentSlot> = []) -> [String: String] {
        switch ApplicationForm.validate(fields: fields, uploadedSlots: slots) {
        case .success: return [:]
        case .failure(let errors): return Dictionary(errors.errors.map { ($0.field, $0.code) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test(arguments: ["on", "true", "1", "TRUE", "ｏｎ"])
    func checkboxesAcceptWhatFormsSend(_ value: String) {
        var fields = Self.medical
        fields["terms_agreed"] = value
        fields["flets_v6_confirmed"] = value
        #expect(errors(fields).isEmpty)
    }

    @Test(arguments: [nil, "off", "false", "0", ""] as [String?])
    func anythingElseIsUnchecked(_ value: String?) {
        var fields = Self.medical
        fields["terms_agreed"] = value
        #expect(errors(fields)["terms_agreed"] == "required")
    }

    @Test func theInstitutionCodeIsRequiredExceptForAWorkplaceClinic() {
        var fields = Self.medical
        fields["institution_code"] = nil
        #expect(errors(fields)["institution_code"] == "required")
        var clinic = ApplicationFields.workplaceClinic
        clinic["institution_code"] = nil
        #expect(errors(clinic, slots: Set(DocumentSlot.allCases)).isEmpty)
    }

    @Test func aChangeApplicationMayComeWithoutDocuments() {
        var clinic = ApplicationFields.workplaceClinic
        clinic["application_kind"] = "change"
        #expect(errors(clinic).isEmpty)
        clinic["application_kind"] = "new"
        #expect(errors(clinic, slots: [.openingPermit]) == ["opening_notification": "required"])
    }

    @Test func theCustomerIdIsRequiredOnlyForLineType1() {
        var fields = Self.medical
        for key in ["customer_id", "customer_id_confirmation", "customer_id_type"] { fields[key] = nil }
        #expect(errors(fields)["customer_id"] == "required")
        fields["line_type"] = "2"
        #expect(errors(fields).isEmpty)
    }

    @Test func theWorkedExampleOfTheCheckDigit() {
        // domain.md: prefecture 34, score table 1, 郡市区 07, number 1236 → check digit 2.
        #expect(InstitutionCode.expectedCheckDigit(prefecture: "34", scoreTableCode: "1", code: "0712362") == "2")
        #expect(InstitutionCode.checkDigitMatches(prefecture: "34", scoreTableCode: "1", code: "0712362") == true)
        #expect(InstitutionCode.checkDigitMatches(prefecture: "34", scoreTableCode: "1", code: "0712363") == false)
        #expect(InstitutionCode.checkDigitMatches(prefecture: "13", scoreTableCode: nil, code: "0712362") == nil)
    }

    @Test func emailAddressesThatCouldAddARecipientAreRefused() {
        for address in ["a@x.jp,b@y.jp", "a@x.jp;b", "<a@x.jp>", "a b@x.jp", "a@x..jp", "a@.jp", "@x.jp"] {
            var fields = Self.medical
            fields["contact_email"] = address
            #expect(errors(fields)["contact_email"] == "format", "\(address)")
        }
        var fields = Self.medical
        fields["contact_email"] = "clinic.staff+intake@example.co.jp"
        #expect(errors(fields).isEmpty)
    }

    @Test func aNameWithABidiOverrideIsRefused() {
        var fields = Self.medical
        fields["institution_name"] = "医院\u{202E}fdp.exe"
        #expect(errors(fields)["institution_name"] == "format")
    }

    @Test func theSecretNumberNeverPrints() async throws {
        guard case .success(let form) = ApplicationForm.validate(fields: Self.medical, uploadedSlots: []) else {
            Issue.record("the medical fields should be valid")
            return
        }
        var dumped = ""
        dump(form, to: &dumped)
        #expect(!dumped.contains("4821"))
        #expect(!"\(form)".contains("4821"))
        #expect(!String(reflecting: form).contains("4821"))
    }
}

@Suite struct SecretHasherTests {
    /// A v1 hash of "4821" (no pepper), made by Python's hashlib, not by this code:
    /// `hashlib.pbkdf2_hmac('sha256', b'4821', bytes(range(16)), 210000, 32)`.
    static let v1 = "pbkdf2-sha256$210000$AAECAwQFBgcICQoLDA0ODw==$MfyWfJexqlndtCCLSOIl5XtAuDTY6Y5KOg9JfUuRysM="

    @Test func aHashVerifiesOnlyItsOwnSecretAndIsSalted() async throws {
        let hasher = SecretHasher(pepper: .random())
        let secret = SecretNumber(digits: "4821")
        let first = try hasher.hash(secret)
        let second = try hasher.hash(secret)
        #expect(first != second, "a per-application salt")
        #expect(first.hasPrefix("v2$") && !first.contains("4821"), "\(first)")
        #expect(try hasher.verify(secret, against: first))
        #expect(try hasher.verify(SecretNumber(digits: "4820"), against: first) == false)
        #expect(try hasher.verify(secret, against: "garbage") == false)
    }

    @Test func aV2HashNeedsTheSamePepper() async throws {
        let pepper = Pepper.random()
        let secret = SecretNumber(digits: "4821")
        let hash = try SecretHasher(pepper: pepper).hash(secret)
        #expect(try SecretHasher(pepper: pepper).verify(secret, against: hash), "another hasher with the same pepper")
        #expect(try SecretHasher(pepper: .random()).verify(secret, against: hash) == false)
        let v1Shaped = hash.dropFirst("v2$".count).replacingOccurrences(of: "pbkdf2-sha256+hmac", with: "pbkdf2-sha256")
        #expect(try SecretHasher(pepper: pepper).verify(secret, against: v1Shaped) == false, "the version is not optional")
    }

    @Test func hashesFromBeforeThePepperStillVerify() async throws {
        let hasher = SecretHasher(pepper: .random())
        #expect(try hasher.verify(SecretNumber(digits: "4821"), against: Self.v1))
        #expect(try hasher.verify(SecretNumber(digits: "4822"), against: Self.v1) == false)
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("ab".utf8)))
    }
}
