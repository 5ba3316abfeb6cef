import Testing

@testable import DocIntake

/// The words and readings of the form that issue 14 asked for: choices say 「選択してください」,
/// a prefecture out of range has its own message, and months are read as people write them.
@Suite struct FormMessageTests {
    func messages(_ fields: [String: String]) -> [String: String] {
        switch ApplicationForm.validate(fields: fields, uploadedSlots: []) {
        case .success: return [:]
        case .failure(let errors): return Dictionary(errors.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func unchosenRadiosAndSelectsSaySelect() {
        var fields = ApplicationFields.medical
        for name in ["institution_kind", "prefecture_code", "application_kind", "line_type", "certificate_fee_payment"] {
            fields[name] = nil
        }
        let found = messages(fields)
        for name in ["institution_kind", "prefecture_code", "application_kind", "line_type", "certificate_fee_payment"] {
            #expect(found[name] == "選択してください。", "\(name): \(found[name] ?? "none")")
        }
        #expect(found["institution_name"] == nil)
        fields = ApplicationFields.medical
        fields["institution_name"] = nil
        #expect(messages(fields)["institution_name"] == "入力してください。", "a text field still says 入力してください")
    }

    @Test(arguments: ["00", "48", "99"])
    func aPrefectureOutsideTheRangeHasItsOwnMessage(_ code: String) {
        var fields = ApplicationFields.medical
        fields["prefecture_code"] = code
        #expect(messages(fields)["prefecture_code"] == "都道府県コードは01〜47（JIS X 0401）の2桁で指定してください。")
    }

    @Test(arguments: [
        ("2027/3", "2027-03"), ("2027年3月", "2027-03"), ("２０２７年１２月", "2027-12"), ("2027-04", "2027-04"),
        ("2027 / 11", "2027-11"), ("2027-13", "2027-13"), ("3月", "3月"),
    ])
    func monthsAreReadAsPeopleWriteThem(_ written: String, _ read: String) {
        #expect(FormValue.yearMonth(written) == read)
    }

    @Test func aNormalisedMonthIsStored() async throws {
        var fields = ApplicationFields.medical
        fields["planned_start_month"] = "2027年4月"
        fields["planned_test_month"] = "2027/3"
        let form = try ApplicationForm.validate(fields: fields, uploadedSlots: []).get()
        #expect(form.plannedStartMonth == "2027-04" && form.plannedTestMonth == "2027-03")
    }
}
