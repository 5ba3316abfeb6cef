/// An application as the retention job judges it: its status and status time, every document
/// row it still has (current and superseded), and its legal hold if one stands.
public struct RetentionCandidate: Sendable, Equatable {
    /// The application as stored.
    public var application: ApplicationRecord
    /// Every document row it still has, oldest first.
    public var documents: [DocumentRecord]
    /// Its legal hold, if one stands.
    public var hold: LegalHold?

    /// A candidate as read in one snapshot.
    public init(application: ApplicationRecord, documents: [DocumentRecord], hold: LegalHold?) {
        self.application = application
        self.documents = documents
        self.hold = hold
    }
}
