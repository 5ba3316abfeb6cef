/// 医療機関等の種別: who applies.
public enum InstitutionKind: String, Sendable, Codable, CaseIterable {
    /// 医科
    case medical
    /// 歯科
    case dental
    /// 調剤 (薬局)
    case pharmacy
    /// 訪問看護
    case homeNursing = "home_nursing"
    /// 職域診療所: uploads two documents and is reviewed (審査) before registration.
    case workplaceClinic = "workplace_clinic"

    /// 点数表コード, the third digit of the full 10-digit 医療機関コード. Nil where domain.md
    /// marks it unknown (the manual's screenshot for 職域診療所 is unreadable).
    public var scoreTableCode: String? {
        switch self {
        case .medical: "1"
        case .dental: "3"
        case .pharmacy: "4"
        case .homeNursing: "6"
        case .workplaceClinic: DomainFacts.workplaceClinicScoreTableCode
        }
    }

    /// Only a workplace clinic sends 開設届の写し and 開設許可書の写し.
    public var uploadsDocuments: Bool { self == .workplaceClinic }
}
