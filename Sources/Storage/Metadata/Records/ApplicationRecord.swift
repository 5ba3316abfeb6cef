import Foundation
import GRDB

/// One usage application (オンライン資格確認利用申請) as stored: every form field of domain.md,
/// normalised, plus what the service adds. The 秘密の番号 is kept only as a salted slow hash,
/// the applicant's access token only as a SHA-256.
public struct ApplicationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "applications"

    public var id: String
    /// 受付番号, shown to the applicant and quoted in notices.
    public var receiptNumber: String
    public var status: String
    public var institutionKind: String
    public var prefectureCode: String
    public var institutionCode: String?
    public var institutionName: String
    public var applicationKind: String
    public var termsAgreed: Bool
    public var lineType: String
    public var customerIdType: String?
    public var customerId: String?
    public var fletsV6Confirmed: Bool
    public var plannedStartMonth: String
    public var plannedTestMonth: String?
    public var secretNumberHash: String
    public var certificateFeePayment: String
    public var contactEmail: String
    public var accessTokenHash: String
    /// Machine codes of warnings returned at submission (e.g. a check-digit mismatch), JSON.
    public var warnings: String
    public var createdAt: Date
    public var updatedAt: Date
    /// When the status last changed; retention counts from it.
    public var statusChangedAt: Date

    public init(
        id: String, receiptNumber: String, status: String, institutionKind: String, prefectureCode: String,
        institutionCode: String?, institutionName: String, applicationKind: String, termsAgreed: Bool,
        lineType: String, customerIdType: String?, customerId: String?, fletsV6Confirmed: Bool,
        plannedStartMonth: String, plannedTestMonth: String?, secretNumberHash: String,
        certificateFeePayment: String, contactEmail: String, accessTokenHash: String, warnings: String,
        createdAt: Date
    ) {
        self.id = id
        self.receiptNumber = receiptNumber
        self.status = status
        self.institutionKind = institutionKind
        self.prefectureCode = prefectureCode
        self.institutionCode = institutionCode
        self.institutionName = institutionName
        self.applicationKind = applicationKind
        self.termsAgreed = termsAgreed
        self.lineType = lineType
        self.customerIdType = customerIdType
        self.customerId = customerId
        self.fletsV6Confirmed = fletsV6Confirmed
        self.plannedStartMonth = plannedStartMonth
        self.plannedTestMonth = plannedTestMonth
        self.secretNumberHash = secretNumberHash
        self.certificateFeePayment = certificateFeePayment
        self.contactEmail = contactEmail
        self.accessTokenHash = accessTokenHash
        self.warnings = warnings
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.statusChangedAt = createdAt
    }
}
