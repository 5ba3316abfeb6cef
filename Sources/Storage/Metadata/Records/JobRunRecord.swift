import Foundation
import GRDB

/// One finished run of a maintenance job (`retention`, `scrub`), kept so that the server can
/// export the last result as metrics even when the job ran in another process.
public struct JobRunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_runs"

    /// Row id, set on insert.
    public var id: Int64?
    /// `retention` or `scrub`.
    public var job: String
    /// When the run started.
    public var startedAt: Date
    /// When it finished.
    public var finishedAt: Date
    /// `ok`, `problems` (the job ran and found something wrong) or `failed`.
    public var outcome: String
    /// The job's summary as JSON.
    public var summary: String
    /// `operator:<user>` or `system`.
    public var actor: String

    /// A finished run.
    public init(job: String, startedAt: Date, finishedAt: Date, outcome: String, summary: String, actor: String) {
        self.job = job
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.summary = summary
        self.actor = actor
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let job = Column(CodingKeys.job)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
