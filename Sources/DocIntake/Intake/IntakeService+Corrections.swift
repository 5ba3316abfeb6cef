import Foundation
import Storage

extension IntakeService {
    /// Corrects form fields of a returned (差戻し) application (申請内容の修正): `input` holds the
    /// fields to change, by their form names (an empty value clears an optional field). The whole
    /// application is checked again by the form's own rules, so the same messages apply; the
    /// 秘密の番号 and the kinds that decide the documents cannot be changed here. Every change is
    /// audited with its old and new value; nothing is recorded when nothing changed.
    func correctFields(_ id: String, token: String?, input: [String: String]) async throws -> ApplicantView {
        let record = try await authorised(id, token: token)
        guard record.status == .returned else { throw ApplicantError.wrongStatus(record.status) }
        var errors = FormErrors()
        let editable = Set(FormField.correctable.map(\.rawValue) + [FormField.customerIdConfirmation.rawValue])
        for name in input.keys.sorted() where !editable.contains(name) {
            let secret = name == FormField.secretNumber.rawValue || name == FormField.secretNumberConfirmation.rawValue
            errors.add(name, secret ? FormMessages.secretNotCorrectable : FormMessages.notCorrectable)
        }
        var fields = Self.storedFields(record)
        if input[FormField.customerId.rawValue] != nil { fields[FormField.customerIdConfirmation.rawValue] = nil }
        for (name, value) in input where editable.contains(name) { fields[name] = value }
        let slots: Set<DocumentSlot> =
            record.institutionKind.uploadsDocuments ? Set(DocumentSlot.allCases) : []
        let form: ApplicationForm
        switch ApplicationForm.validate(fields: fields, uploadedSlots: slots) {
        case .failure(let invalid):
            errors.merge(invalid)
            throw IntakeError.invalidForm(errors)
        case .success(let valid):
            guard errors.isEmpty else { throw IntakeError.invalidForm(errors) }
            form = valid
        }

        var corrected = record
        corrected.prefectureCode = form.prefectureCode
        corrected.institutionCode = form.institutionCode
        corrected.institutionName = form.institutionName
        corrected.lineType = form.lineType
        corrected.customerIdType = form.customerIdType
        corrected.customerId = form.customerId
        corrected.plannedStartMonth = form.plannedStartMonth
        corrected.plannedTestMonth = form.plannedTestMonth
        corrected.certificateFeePayment = form.certificateFeePayment
        corrected.contactEmail = form.contactEmail
        corrected.warnings = String(decoding: try JSONEncoder().encode(form.warnings), as: UTF8.self)
        let changes = Self.changes(from: record, to: corrected)
        if !changes.isEmpty {
            let audit = AuditEntry(
                applicationId: id, at: clock(), actor: "applicant", action: AuditAction.correctFields,
                detail: AuditDetail(changes: changes).json())
            let (metadata, corrected) = (self.metadata, corrected)
            do {
                try await metadata.correctFields(corrected, allowedStatuses: [.returned], audit: audit)
            } catch MetadataStoreError.statusConflict(let current) {
                throw ApplicantError.wrongStatus(current)
            } catch MetadataStoreError.noSpace {
                throw IntakeError.storageFull
            }
        }
        return try await view(id, token: token)
    }

    /// The stored application as the form's fields. The 秘密の番号 is only a hash by now; a
    /// placeholder passes its checks, and nothing of it is ever written back.
    static func storedFields(_ record: ApplicationRecord) -> [String: String] {
        var fields: [FormField: String?] = [
            .institutionKind: record.institutionKind.rawValue, .prefectureCode: record.prefectureCode,
            .institutionCode: record.institutionCode, .institutionName: record.institutionName,
            .applicationKind: record.applicationKind.rawValue, .termsAgreed: "on", .lineType: record.lineType,
            .customerIdType: record.customerIdType?.rawValue, .customerId: record.customerId,
            .customerIdConfirmation: record.customerId, .fletsV6Confirmed: "on",
            .plannedStartMonth: record.plannedStartMonth, .plannedTestMonth: record.plannedTestMonth,
            .certificateFeePayment: record.certificateFeePayment.rawValue, .contactEmail: record.contactEmail,
        ]
        fields[.secretNumber] = "0000"
        fields[.secretNumberConfirmation] = "0000"
        return Dictionary(uniqueKeysWithValues: fields.compactMap { key, value in value.map { (key.rawValue, $0) } })
    }

    /// The correctable fields whose stored value differs, in the form's order.
    static func changes(from old: ApplicationRecord, to new: ApplicationRecord) -> [AuditDetail.FieldChange] {
        let values: [(FormField, KeyPath<ApplicationRecord, String?>)] = [
            (.prefectureCode, \.prefectureCodeValue), (.institutionCode, \.institutionCode),
            (.institutionName, \.institutionNameValue), (.lineType, \.lineTypeValue), (.customerIdType, \.customerIdTypeValue),
            (.customerId, \.customerId), (.plannedStartMonth, \.plannedStartMonthValue), (.plannedTestMonth, \.plannedTestMonth),
            (.certificateFeePayment, \.certificateFeePaymentValue), (.contactEmail, \.contactEmailValue),
        ]
        return values.compactMap { field, path in
            old[keyPath: path] == new[keyPath: path]
                ? nil
                : AuditDetail.FieldChange(field: field.rawValue, old: old[keyPath: path], new: new[keyPath: path])
        }
    }
}

extension ApplicationRecord {
    // Optional text views of the fields, as the form names their values, so that one table of key paths lists every field.
    fileprivate var prefectureCodeValue: String? { prefectureCode }
    fileprivate var institutionNameValue: String? { institutionName }
    fileprivate var lineTypeValue: String? { lineType }
    fileprivate var plannedStartMonthValue: String? { plannedStartMonth }
    fileprivate var customerIdTypeValue: String? { customerIdType?.rawValue }
    fileprivate var certificateFeePaymentValue: String? { certificateFeePayment.rawValue }
    fileprivate var contactEmailValue: String? { contactEmail }
}
