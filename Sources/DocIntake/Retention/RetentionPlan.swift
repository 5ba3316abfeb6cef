import Foundation
import Storage

/// What a retention run will do, judged from one snapshot of the metadata and the blob store.
/// A dry run reports it; a real run carries it out step by step, each step re-checked under
/// the write lock.
public struct RetentionPlan: Sendable, Equatable {
    /// One application whose documents are due under a rule.
    public struct Expiry: Sendable, Equatable {
        public var application: ApplicationRecord
        public var rule: RetentionRule
        /// When the rule made the documents deletable.
        public var due: Date
        /// Whether the application is closed as `withdrawn` first (the `returned` rule).
        public var closes: Bool
        public var documents: [DocumentRecord]
    }

    /// An application that is due but under legal hold, so left alone.
    public struct Held: Sendable, Equatable {
        public var application: ApplicationRecord
        public var rule: RetentionRule
        public var due: Date
        public var hold: LegalHold
    }

    /// The date the rules were applied for.
    public var now: Date
    /// Unreferenced blobs and orphan files at or before this instant are collected.
    public var blobCutoff: Date
    /// Applications in a status some rule governs.
    public var applicationsConsidered: Int
    public var expiries: [Expiry]
    public var held: [Held]
    /// Blobs that nothing will reference once `expiries` are done, and orphan files.
    public var blobs: [BlobGarbage]
    /// Blob rows nothing will reference that are kept because they are younger than the grace
    /// period; a later run collects them.
    public var blobsInGracePeriod: Int
    /// Stale temp files under `<data>/tmp/`.
    public var tempFiles: [String]
}
