/// A usage application (オンライン資格確認利用申請) whose fields passed every rule of domain.md,
/// normalised as stored.
struct ApplicationForm: Sendable, Equatable {
    var institutionKind: InstitutionKind
    var prefectureCode: String
    var institutionCode: String?
    var institutionName: String
    var applicationKind: ApplicationKind
    var lineType: String
    var customerIdType: CustomerIdType?
    var customerId: String?
    var plannedStartMonth: String
    var plannedTestMonth: String?
    var secretNumber: SecretNumber
    var certificateFeePayment: CertificateFeePayment
    var contactEmail: String
    /// Accepted, but worth telling the applicant (e.g. a check-digit mismatch).
    var warnings: [FieldMessage]
}

extension ApplicationForm {
    /// Checks every field and returns the form, or every error at once (never only the first).
    /// `uploadedSlots` are the document slots for which a file arrived.
    static func validate(
        fields: [String: String], uploadedSlots: Set<DocumentSlot>
    ) -> Result<ApplicationForm, FormErrors> {
        var errors = FormErrors()
        func raw(_ field: FormField) -> String? { fields[field.rawValue] }

        let kind: InstitutionKind? = errors.choice(.institutionKind, FormValue.normalised(raw(.institutionKind)))
        let prefecture = FormValue.normalised(raw(.prefectureCode))
        if let prefecture {
            if DomainFacts.prefectures[prefecture] == nil { errors.add(.prefectureCode, .prefectureRange) }
        } else {
            errors.add(.prefectureCode, .selectRequired)
        }

        let institutionCode = FormValue.normalised(raw(.institutionCode))
        var warnings: [FieldMessage] = []
        if let institutionCode {
            if !FormValue.isDigits(institutionCode, count: 7) {
                errors.add(.institutionCode, .format)
            } else if let prefecture, let kind,
                InstitutionCode.checkDigitMatches(prefecture: prefecture, scoreTableCode: kind.scoreTableCode, code: institutionCode) == false
            {
                warnings.append(FormMessages.checkDigitWarning)
            }
        } else if let kind, kind != .workplaceClinic {
            errors.add(.institutionCode, .required)
        }

        let name = FormValue.trimmed(raw(.institutionName))
        if let name {
            if name.count > 100 { errors.add(.institutionName, .tooLong) }
            if FormValue.hasControlCharacters(name) { errors.add(.institutionName, .format) }
        } else {
            errors.add(.institutionName, .required)
        }

        let applicationKind: ApplicationKind? = errors.choice(.applicationKind, FormValue.normalised(raw(.applicationKind)))
        if !FormValue.checkbox(raw(.termsAgreed)) { errors.add(.termsAgreed, .mustAgree) }

        let lineType = FormValue.normalised(raw(.lineType))
        if let lineType {
            if LineTypes.names[lineType] == nil { errors.add(.lineType, .invalidChoice) }
        } else {
            errors.add(.lineType, .selectRequired)
        }

        let customerIdType: CustomerIdType? = errors.choice(
            .customerIdType, FormValue.normalised(raw(.customerIdType))?.uppercased(), required: false)
        let customerId = FormValue.normalised(raw(.customerId))
        let customerIdRequired = lineType == DomainFacts.lineTypeRequiringCustomerId
        if let customerId {
            if !FormValue.isDigits(customerId, count: 10) { errors.add(.customerId, .customerIdFormat) }
            if customerIdType == nil && raw(.customerIdType).flatMap(FormValue.normalised) == nil {
                errors.add(.customerIdType, .selectRequired)
            }
            if FormValue.normalised(raw(.customerIdConfirmation)) != customerId {
                errors.add(.customerIdConfirmation, .mismatch)
            }
        } else if customerIdRequired {
            errors.add(.customerId, .required)
        }

        if !FormValue.checkbox(raw(.fletsV6Confirmed)) { errors.add(.fletsV6Confirmed, .mustConfirm) }

        let startMonth = FormValue.yearMonth(raw(.plannedStartMonth))
        if let startMonth {
            if !FormValue.isYearMonth(startMonth) { errors.add(.plannedStartMonth, .yearMonthFormat) }
        } else {
            errors.add(.plannedStartMonth, .required)
        }
        let testMonth = FormValue.yearMonth(raw(.plannedTestMonth))
        if let testMonth, !FormValue.isYearMonth(testMonth) { errors.add(.plannedTestMonth, .yearMonthFormat) }

        let secret = FormValue.normalised(raw(.secretNumber))
        if let secret {
            if !FormValue.isDigits(secret, count: 4) { errors.add(.secretNumber, .secretNumberFormat) }
            if FormValue.normalised(raw(.secretNumberConfirmation)) != secret {
                errors.add(.secretNumberConfirmation, .mismatch)
            }
        } else {
            errors.add(.secretNumber, .required)
        }

        let payment: CertificateFeePayment? = errors.choice(
            .certificateFeePayment, FormValue.normalised(raw(.certificateFeePayment)))
        if kind == .workplaceClinic, payment == .deductFromFees {
            errors.add(.certificateFeePayment, .invoiceOnly)
        }

        let email = FormValue.normalised(raw(.contactEmail))
        if let email {
            if !FormValue.isEmailAddress(email) { errors.add(.contactEmail, .format) }
        } else {
            errors.add(.contactEmail, .required)
        }

        if let kind {
            for slot in DocumentSlot.allCases {
                if kind.uploadsDocuments {
                    if applicationKind == .new && !uploadedSlots.contains(slot) {
                        errors.add(slot.rawValue, FormMessages.documentRequired(slot))
                    }
                } else if uploadedSlots.contains(slot) {
                    errors.add(slot.rawValue, FormMessages.documentNotAllowed(slot))
                }
            }
        }

        guard errors.isEmpty, let kind, let prefecture, let name, let applicationKind, let lineType,
            let startMonth, let secret, let payment, let email
        else { return .failure(errors) }
        return .success(
            ApplicationForm(
                institutionKind: kind, prefectureCode: prefecture, institutionCode: institutionCode,
                institutionName: name, applicationKind: applicationKind, lineType: lineType,
                customerIdType: customerId == nil ? nil : customerIdType, customerId: customerId,
                plannedStartMonth: startMonth, plannedTestMonth: testMonth, secretNumber: SecretNumber(digits: secret),
                certificateFeePayment: payment, contactEmail: email, warnings: warnings))
    }
}

/// Every field error of one submission, in the form's order.
struct FormErrors: Error, Sendable, Equatable {
    private(set) var errors: [FieldError] = []

    var isEmpty: Bool { errors.isEmpty }

    mutating func add(_ field: FormField, _ problem: FormMessages.Message) {
        add(field.rawValue, problem)
    }

    mutating func add(_ field: String, _ problem: FormMessages.Message) {
        add(FieldError(field: field, code: problem.code, message: problem.ja, messageEn: problem.en))
    }

    mutating func add(_ error: FieldError) {
        errors.append(error)
    }

    mutating func keep(where isKept: (FieldError) -> Bool) {
        errors.removeAll { !isKept($0) }
    }

    /// The fields in the form's order, then the documents; anything else last. The sort is
    /// stable, so one field's errors keep the order they were found in.
    mutating func sortInFormOrder() {
        let order = FormField.allCases.map(\.rawValue) + DocumentSlot.allCases.map(\.rawValue)
        func rank(_ error: FieldError) -> Int { order.firstIndex(of: error.field) ?? order.count }
        errors = errors.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// Adds every error of `other` after these.
    mutating func merge(_ other: FormErrors) {
        errors.append(contentsOf: other.errors)
    }

    /// Parses a choice field, recording `required` or `invalid_choice`.
    mutating func choice<T: RawRepresentable>(_ field: FormField, _ value: String?, required: Bool = true) -> T?
    where T.RawValue == String {
        guard let value else {
            if required { add(field, .selectRequired) }
            return nil
        }
        guard let parsed = T(rawValue: value) else {
            add(field, .invalidChoice)
            return nil
        }
        return parsed
    }
}
