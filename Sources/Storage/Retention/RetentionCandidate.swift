/// An application as the retention job judges it: its status and status time, every document
/// row it still has (current and superseded), and its legal hold if one stands.
public struct RetentionCandidate: Sendable, Equatable {
    public var application: ApplicationRecord
    public var documents: [DocumentRecord]
    public var hold: LegalHold?

    public init(application: ApplicationRecord, documents: [DocumentRecord], hold: LegalHold?) {
        self.application = application
        self.documents = documents
        self.hold = hold
    }
}
