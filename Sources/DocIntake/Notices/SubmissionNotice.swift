import Foundation
import Storage

/// The facts the 受付 notice (「オンライン資格確認申請受付のご案内」) repeats: the items applicants
/// most often enter wrongly (誤入力の多い項目) and, for a workplace clinic, each document.
/// Built from the validated form, it has no field for the 秘密の番号 or a token.
struct SubmissionNotice: Codable, Sendable {
    var receiptNumber: String?
    var institutionKind: String
    var reviewed: Bool
    var applicationKind: String
    var institutionName: String
    var lineType: String
    var customerId: String?
    var plannedStartMonth: String
    var plannedTestMonth: String?
    var certificateFeePayment: String
    var documents: [Document]

    struct Document: Codable, Sendable {
        var slot: DocumentSlot
        var filename: String
        var size: Int64
    }

    init(form: ApplicationForm, documents: [DocumentRecord]) throws {
        institutionKind = form.institutionKind.rawValue
        reviewed = form.institutionKind == .workplaceClinic
        applicationKind = form.applicationKind.japaneseName
        institutionName = form.institutionName
        lineType = LineTypes.names[form.lineType] ?? form.lineType
        customerId = form.customerId.map { (form.customerIdType?.rawValue ?? "") + $0 }
        plannedStartMonth = form.plannedStartMonth
        plannedTestMonth = form.plannedTestMonth
        certificateFeePayment = form.certificateFeePayment.japaneseName
        self.documents = documents.map { Document(slot: $0.slot, filename: $0.originalFilename, size: $0.size) }
    }

    func json(receiptNumber: String) throws -> String {
        var notice = self
        notice.receiptNumber = receiptNumber
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(notice), as: UTF8.self)
    }
}
