import DocIntakeAPI
import Foundation

/// Resumable upload sessions: their offsets, verdicts and leases, shared by every server on the
/// same store. Every method is one transaction.
public protocol UploadSessionStore: Sendable {
    /// Records a new session.
    func insertUpload(_ upload: UploadSessionRecord) async throws

    /// The session whose id hashes to `idHash`, if any (expired ones too, until swept).
    func upload(idHash: String) async throws -> UploadSessionRecord?

    /// Takes (or renews) the lease on a session for `holder` until `until`, unless another holder's
    /// lease runs past `now`. Returns the session as it now stands, or nil when another holder has
    /// it; throws `.notFound` when there is no such session.
    func leaseUpload(idHash: String, holder: String, now: Date, until: Date) async throws -> UploadSessionRecord?

    /// Stores `upload`'s offset, state and verdict if `holder` still holds its lease (expired or
    /// not, so long as nobody took it over), and gives the lease up when `releasingLease`. Returns
    /// false, changing nothing, when the lease was taken over.
    func updateUpload(_ upload: UploadSessionRecord, holder: String, releasingLease: Bool) async throws -> Bool

    /// Marks the session used, if it is `accepted`, for `slot` and unexpired at `now`, with no live
    /// lease: of two requests naming it, one gets it. Returns the session before the change, or nil
    /// when it cannot be used.
    func useUpload(idHash: String, slot: DocumentSlot, now: Date) async throws -> UploadSessionRecord?

    /// Gives a used session back (`accepted`), for a request that took it and then failed before
    /// its application committed. Returns whether it was in `used`.
    func restoreUpload(idHash: String) async throws -> Bool

    /// Deletes a session's row. Returns whether there was one.
    func deleteUpload(idHash: String) async throws -> Bool

    /// Sessions whose expiry is at or before `now`, oldest first.
    func expiredUploads(now: Date) async throws -> [UploadSessionRecord]
}
