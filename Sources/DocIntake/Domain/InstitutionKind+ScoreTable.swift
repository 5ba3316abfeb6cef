extension InstitutionKind {
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
}
