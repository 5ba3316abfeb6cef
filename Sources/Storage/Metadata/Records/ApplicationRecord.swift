import DocIntakeAPI
import Foundation
import GRDB

/// One usage application (オンライン資格確認利用申請) as stored: every form field of domain.md,
/// normalised, plus what the service adds. The 秘密の番号 is kept only as a salted slow hash,
/// the applicant's access token only as a SHA-256.
public struct ApplicationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "applications"

    /// The application id (a UUID), used in URLs.
    public var id: String
    /// 受付番号, shown to the applicant and quoted in notices.
    public var receiptNumber: String
    /// Where it stands in review.
    public var status: ApplicationStatus
    /// 医療機関等の種別.
    public var institutionKind: InstitutionKind
    /// 都道府県コード, two digits.
    public var prefectureCode: String
    /// 医療機関等コード, 7 digits; none for a 職域診療所 before approval.
    public var institutionCode: String?
    /// 医療機関等名.
    public var institutionName: String
    /// 申請区分.
    public var applicationKind: ApplicationKind
    /// 利用規約への同意 (always true once stored).
    public var termsAgreed: Bool
    /// 電気通信回線種別 code (`LineTypes` names them). A String: the codes are a table of names, not an
    /// enumeration, and `2` and `3` are still uncertain (domain.md).
    public var lineType: String
    /// お客さまID (種別).
    public var customerIdType: CustomerIdType?
    /// お客さまID, 10 digits without the prefix.
    public var customerId: String?
    /// フレッツ・v6オプション契約の確認 (always true once stored).
    public var fletsV6Confirmed: Bool
    /// 利用開始予定年月, `YYYY-MM`.
    public var plannedStartMonth: String
    /// テスト開始予定年月, `YYYY-MM`, if known.
    public var plannedTestMonth: String?
    /// The 秘密の番号's salted PBKDF2 hash; never the number.
    public var secretNumberHash: String
    /// 電子証明書発行料の支払方法.
    public var certificateFeePayment: CertificateFeePayment
    /// 連絡先メールアドレス: where notices go.
    public var contactEmail: String
    /// SHA-256 of the applicant's access token.
    public var accessTokenHash: String
    /// Machine codes of warnings returned at submission (e.g. a check-digit mismatch), JSON.
    public var warnings: String
    /// When it was received.
    public var createdAt: Date
    /// When anything about it last changed.
    public var updatedAt: Date
    /// When the status last changed; retention counts from it.
    public var statusChangedAt: Date

    /// A new application as received.
    public init(
        id: String, receiptNumber: String, status: ApplicationStatus, institutionKind: InstitutionKind, prefectureCode: String,
        institutionCode: String?, institutionName: String, applicationKind: ApplicationKind, termsAgreed: Bool,
        lineType: String, customerIdType: CustomerIdType?, customerId: String?, fletsV6Confirmed: Bool,
        plannedStartMonth: String, plannedTestMonth: String?, secretNumberHash: String,
        certificateFeePayment: CertificateFeePayment, contactEmail: String, accessTokenHash: String, warnings: String,
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

    /// The table's columns, for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let receiptNumber = Column(CodingKeys.receiptNumber)
        public static let status = Column(CodingKeys.status)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let updatedAt = Column(CodingKeys.updatedAt)
        public static let statusChangedAt = Column(CodingKeys.statusChangedAt)
        public static let accessTokenHash = Column(CodingKeys.accessTokenHash)
    }
}
