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

    /// The kind as the portal names it, for people.
    public var japaneseName: String {
        switch self {
        case .medical: "医科"
        case .dental: "歯科"
        case .pharmacy: "調剤（薬局）"
        case .homeNursing: "訪問看護"
        case .workplaceClinic: "職域診療所"
        }
    }

    /// Only a workplace clinic sends 開設届の写し and 開設許可書の写し.
    public var uploadsDocuments: Bool { self == .workplaceClinic }
}
