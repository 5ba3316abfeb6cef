/// Watches an upload land in its local staging file, so that a remote store can start sending the
/// bytes before the last one arrives (S3: the parts of a multipart upload) and the upload's answer
/// does not wait for all of them.
///
/// The staging file stays the source: the Scanner's final stage reads it, and the tee reads the
/// bytes back from it, so no upload holds more than a buffer in memory.
public protocol StagingTee: AnyObject, Sendable {
    /// The staging file now holds `byteCount` bytes. Called by the upload's one writer; must return
    /// at once (any sending runs on another task).
    func staged(byteCount: Int64)

    /// The last byte is on disk and fsynced: the file holds `byteCount` bytes in all. The tee may
    /// finish sending now, while the upload's final checks run, before the store places it.
    func sealed(byteCount: Int64)

    /// The upload was abandoned before it was placed: stop sending and remove what was sent, as far
    /// as that can be done (the store's sweep removes the rest).
    func abandon()

    /// Why sending failed for good (the store still unreachable after the client's retries), once
    /// it has: the upload can then end at once instead of taking the rest of 100 MB for nothing.
    var failure: (any Error)? { get }
}
