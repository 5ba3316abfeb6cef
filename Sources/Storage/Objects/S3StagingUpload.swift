import Foundation
import S3
import Synchronization

/// An upload's staging file sent on to a staging object in parts while it still arrives: each
/// time a part's worth of bytes is on disk, a task reads them back, hashes them and sends them
/// (UploadPart, signed over their SHA-256). After the last byte, `complete(size:)` sends the rest
/// and completes the multipart upload; the store then copies the object to its content address.
///
/// Nothing is sent for an upload smaller than one part: the store puts it in one request instead.
final class S3StagingUpload: StagingTee {
    let client: S3Client
    /// The staging object's key, `<prefix>staging/<uuid>`.
    let key: String
    let file: String
    let partSize: Int64

    private struct State {
        var created: Task<String, any Error>?
        var parts: [Task<S3UploadedPart, any Error>] = []
        /// Bytes handed to part tasks so far.
        var sent: Int64 = 0
        var abandoned = false
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

    /// Sends what is left after the last byte and completes the upload; returns the staging
    /// object's key, or nil when nothing was sent (an upload smaller than one part).
    func complete(size: Int64) async throws -> String? {
        let (created, parts): (Task<String, any Error>?, [Task<S3UploadedPart, any Error>]) = state.withLock { state in
            guard state.created != nil else { return (nil, []) }
            if size > state.sent { startPart(length: size - state.sent, in: &state) }
            return (state.created, state.parts)
        }
        guard let created else { return nil }
        let uploadId = try await created.value
        var uploaded: [S3UploadedPart] = []
        for part in parts { uploaded.append(try await part.value) }
        try await client.completeMultipartUpload(key: key, uploadId: uploadId, parts: uploaded)
        return key
    }

    func abandon() {
        let (created, parts) = state.withLock { state in
            state.abandoned = true
            return (state.created, state.parts)
        }
        guard let created else { return }
        for part in parts { part.cancel() }
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
                let uploadId = try await created.value
                let digest = try await region.sha256()
                let payload = S3Payload.stream(length: length, sha256: digest, replayable: true) { region }
                return try await client.uploadPart(key: key, uploadId: uploadId, partNumber: number, payload: payload)
            })
        state.sent += length
    }
}
