import Foundation
import GRDB

/// A legal hold on an application: while it stands, retention deletes none of its documents
/// and does not close it. Setting and clearing a hold are also written to the audit log.
public struct LegalHold: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "legal_holds"

    /// The held application.
    public var applicationId: String
    /// Why, as the operator gave it.
    public var reason: String
    /// When it was set (or its reason last changed).
    public var setAt: Date
    /// `operator:<user>`, as in the audit log.
    public var setBy: String

    /// A hold set by `setBy` at `setAt`.
    public init(applicationId: String, reason: String, setAt: Date, setBy: String) {
        self.applicationId = applicationId
        self.reason = reason
        self.setAt = setAt
        self.setBy = setBy
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let applicationId = Column(CodingKeys.applicationId)
        public static let setAt = Column(CodingKeys.setAt)
    }
}
