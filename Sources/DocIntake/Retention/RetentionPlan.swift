import Foundation
import Storage

/// What a retention run will do, judged from one snapshot of the metadata and the blob store.
/// A dry run reports it; a real run carries it out step by step, each step re-checked under
/// the write lock.
struct RetentionPlan: Sendable, Equatable {
    /// One application whose documents are due under a rule.
    struct Expiry: Sendable, Equatable {
        var application: ApplicationRecord
        var rule: RetentionRule
        /// When the rule made the documents deletable.
        var due: Date
        /// Whether the application is closed as `withdrawn` first (the `returned` rule).
        var closes: Bool
        var documents: [DocumentRecord]
    }

    /// An application that is due but under legal hold, so left alone.
    struct Held: Sendable, Equatable {
        var application: ApplicationRecord
        var rule: RetentionRule
        var due: Date
        var hold: LegalHold
    }

    /// The date the rules were applied for.
    var now: Date
    /// Unreferenced blobs and orphan files at or before this instant are collected.
    var blobCutoff: Date
    /// Applications in a status some rule governs.
    var applicationsConsidered: Int
    var expiries: [Expiry]
    var held: [Held]
    /// Blobs that nothing will reference once `expiries` are done, and orphan files.
    var blobs: [BlobGarbage]
    /// Blob rows nothing will reference that are kept because they are younger than the grace
    /// period; a later run collects them.
    var blobsInGracePeriod: Int
    /// Stale temp files under `<data>/tmp/`.
    var tempFiles: [String]
}
