/// The rows of domain.md's retention table that delete documents, named as they appear in
/// deletion records, audit entries, summaries and metrics.
enum RetentionRule: String, Sendable, Codable, CaseIterable, Comparable {
    /// Documents of an `approved` application: April 1 following approval, plus N years.
    case approved
    /// Documents of a `rejected` application: N days after the rejection.
    case rejected
    /// Documents of a `withdrawn` application: N days after the withdrawal.
    case withdrawn
    /// An application left `returned`: N days after the return it is closed as `withdrawn`
    /// and its documents are deleted at once.
    case returned

    static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
