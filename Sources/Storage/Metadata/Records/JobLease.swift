import Foundation
import GRDB

/// Who runs a maintenance job that must run once at a time across servers, and until when. A
/// holder that dies leaves a lease that simply runs out; a live holder renews it as it goes.
public struct JobLease: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job_leases"

    /// The job, such as `rescan`.
    public var job: String
    /// Which process holds it: host, process id and a random part.
    public var holder: String
    /// When the lease runs out unless renewed.
    public var expiresAt: Date

    /// A lease of `job` for `holder` until `expiresAt`.
    public init(job: String, holder: String, expiresAt: Date) {
        self.job = job
        self.holder = holder
        self.expiresAt = expiresAt
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let job = Column(CodingKeys.job)
        public static let holder = Column(CodingKeys.holder)
    }
}
