/// Valid form fields for each kind of applicant, to start a test from and then spoil one field.
enum ApplicationFields {
    static let workplaceClinic: [String: String] = [
        "institution_kind": "workplace_clinic",
        "prefecture_code": "13",
        "institution_name": "株式会社テスト 健康管理室診療所",
        "application_kind": "new",
        "terms_agreed": "on",
        "line_type": "1",
        "customer_id_type": "CAF",
        "customer_id": "1234567890",
        "customer_id_confirmation": "1234567890",
        "flets_v6_confirmed": "on",
        "planned_start_month": "2027-04",
        "secret_number": "4821",
        "secret_number_confirmation": "4821",
        "certificate_fee_payment": "invoice",
        "contact_email": "clinic@example.jp",
    ]

    static var medical: [String: String] {
        var fields = workplaceClinic
        fields["institution_kind"] = "medical"
        fields["prefecture_code"] = "34"
        fields["institution_code"] = "0712362"
        fields["institution_name"] = "広島テスト医院"
        fields["certificate_fee_payment"] = "deduct_from_fees"
        return fields
    }

    /// curl `-F` arguments for the fields (values sent literally, not as `@file`).
    static func curlArguments(_ fields: [String: String]) -> [String] {
        fields.sorted { $0.key < $1.key }.flatMap { ["--form-string", "\($0.key)=\($0.value)"] }
    }
}
