import Foundation
import S3
import Synchronization

/// An upload's staging file sent on to a staging object in parts while it still arrives: each
/// time a part's worth of bytes is on disk, a task reads them back, hashes them and sends them
/// (UploadPart, signed over their SHA-256). At the last byte (`sealed`) it sends the rest and
/// completes the multipart upload while the upload's final checks run; the store then awaits that
/// (`complete(size:)`) and copies the object to its content address.
///
/// Nothing is sent for an upload smaller than one part: the store puts it in one request instead.
final class S3StagingUpload: StagingTee {
    let client: S3Client
    /// The staging object's key, `<prefix>staging/<ms>-<uuid>`.
    let key: String
    let file: String
    let partSize: Int64

    private struct State {
        var created: Task<String, any Error>?
        var parts: [Task<S3UploadedPart, any Error>] = []
        /// Started at the last byte, so that it runs while the upload's final checks do.
        var completion: Task<String?, any Error>?
        /// Bytes handed to part tasks so far.
        var sent: Int64 = 0
        var abandoned = false
        var failure: (any Error)?
    }
    private let state = Mutex(State())

    init(client: S3Client, key: String, file: String, partSize: Int64) {
        self.client = client
        self.key = key
        self.file = file
        self.partSize = partSize
    }

    func staged(byteCount: Int64) {
        state.withLock { state in
            while !state.abandoned, byteCount - state.sent >= partSize {
                startPart(length: partSize, in: &state)
            }
        }
    }

    func sealed(byteCount: Int64) {
        _ = finish(size: byteCount)
    }

    /// The staging object's key once every part is sent and the upload completed, or nil when
    /// nothing was sent (an upload smaller than one part: the store puts it whole instead).
    func complete(size: Int64) async throws -> String? {
        try await finish(size: size).value
    }

    /// Sends what is left after the last byte and completes the upload, once (later calls get the
    /// same task).
    private func finish(size: Int64) -> Task<String?, any Error> {
        state.withLock { state in
            if let completion = state.completion { return completion }
            let completion: Task<String?, any Error>
            if let created = state.created, !state.abandoned {
                if size > state.sent { startPart(length: size - state.sent, in: &state) }
                let (client, key, parts) = (client, key, state.parts)
                completion = Task {
                    let uploadId = try await created.value
                    var uploaded: [S3UploadedPart] = []
                    for part in parts { uploaded.append(try await part.value) }
                    try await client.completeMultipartUpload(key: key, uploadId: uploadId, parts: uploaded)
                    return key
                }
            } else {
                completion = Task { nil }
            }
            state.completion = completion
            return completion
        }
    }

    var failure: (any Error)? { state.withLock { $0.failure } }

    func abandon() {
        let (created, parts, completion) = state.withLock { state in
            state.abandoned = true
            return (state.created, state.parts, state.completion)
        }
        guard let created else { return }
        for part in parts { part.cancel() }
        completion?.cancel()
        let (client, key) = (client, key)
        // Best effort: a failure here leaves an unfinished upload that the retention sweep aborts.
        Task {
            guard let uploadId = try? await created.value else { return }
            try? await client.abortMultipartUpload(key: key, uploadId: uploadId)
            try? await client.deleteObject(key: key)
        }
    }

    /// Starts part number `parts.count + 1` over the next `length` bytes; the first part creates the
    /// multipart upload.
    private func startPart(length: Int64, in state: inout State) {
        let (client, key) = (client, key)
        let created = state.created ?? Task { try await client.createMultipartUpload(key: key) }
        state.created = created
        let region = FileRegion(path: file, offset: state.sent, length: length)
        let number = state.parts.count + 1
        state.parts.append(
            Task {
                do {
                    let uploadId = try await created.value
                    let digest = try await region.sha256()
                    let payload = S3Payload.stream(length: length, sha256: digest, replayable: true) { region }
                    return try await client.uploadPart(key: key, uploadId: uploadId, partNumber: number, payload: payload)
                } catch {
                    if !(error is CancellationError) {
                        self.state.withLock { $0.failure = $0.failure ?? S3BlobStore.mapped(error, digest: nil) }
                    }
                    throw error
                }
            })
        state.sent += length
    }
}
