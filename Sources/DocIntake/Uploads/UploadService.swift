import Antivirus
import Foundation
import Logging
import Metrics
import NIOCore
import Scanner
import Storage

/// Resumable uploads, protocol-neutral: a session is created for one document slot with its length,
/// receives its bytes in requests that each start at its durable offset, and ends accepted (type and
/// SHA-256) or refused by the same checks as a multipart upload; an application form then names it.
/// tus is one protocol on top (`UploadRoutes`); the IETF draft can be another.
struct UploadService: Sendable {
    let metadata: any MetadataStore
    let staging: UploadStaging
    /// Where every server finds a session's bytes (the bucket, with S3); nil when each session's
    /// bytes stay with the server that received them.
    let segments: (any UploadSegmentStore)?
    let scanner: DocumentScanner
    /// clamd, which scans each complete upload; nil when no virus scan is configured.
    let antivirus: ClamdClient?
    let limits: IntakeLimits
    /// How long a session lives after its creation, complete or not (24 h by default).
    let lifetime: TimeInterval
    /// How long one request holds a session without a byte arriving before the next may take over.
    let lease: TimeInterval
    let clock: @Sendable () -> Date

    init(
        metadata: any MetadataStore, staging: UploadStaging, segments: (any UploadSegmentStore)? = nil, scanner: DocumentScanner = DocumentScanner(),
        antivirus: ClamdClient? = nil,
        limits: IntakeLimits = IntakeLimits(), lifetime: TimeInterval = Self.defaultLifetime, lease: TimeInterval = Self.defaultLease,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.metadata = metadata
        self.staging = staging
        self.segments = segments
        self.scanner = scanner
        self.antivirus = antivirus
        self.limits = limits
        self.lifetime = lifetime
        self.lease = lease
        self.clock = clock
    }

    /// 24 hours, the grace the retention rules give staged uploads.
    static let defaultLifetime: TimeInterval = 24 * 3600
    /// Short, so that a resume after a half-open connection waits little; renewed as bytes arrive.
    static let defaultLease: TimeInterval = 15

    static let logger = Logger(label: "docintake.uploads")
    private static let bytesReceived = Counter(label: "docintake_upload_bytes_received_total")

    /// Starts a session for `slot`, refusing a length over the cap before any byte.
    func create(slot: String?, length: Int64?, filename: String?) async throws -> (id: UploadId, session: UploadSessionRecord) {
        guard let slot, let documentSlot = DocumentSlot(rawValue: slot) else { throw UploadError.invalidSlot(slot) }
        guard let length, length > 0 else { throw UploadError.invalidLength }
        guard length <= limits.maxFileSize else { throw UploadError.tooLarge(limit: limits.maxFileSize) }
        let id = UploadId.generate()
        let now = clock()
        let name = DisplayFileName.sanitised(filename ?? "")
        let session = UploadSessionRecord(
            idHash: id.hash, slot: documentSlot, length: length, filename: name.isEmpty ? "document" : name, createdAt: now,
            expiresAt: now.addingTimeInterval(lifetime))
        try await metadata.insertUpload(session)
        Counter(label: "docintake_uploads_total", dimensions: [("event", "created")]).increment()
        return (id, session)
    }

    /// The session as it stands (its durable offset); `.notFound` or `.expired` otherwise.
    func session(_ id: String) async throws -> UploadSessionRecord {
        guard let session = try await metadata.upload(idHash: UploadId(value: id).hash) else { throw UploadError.notFound }
        guard session.expiresAt > clock() else { throw UploadError.expired }
        return session
    }

    /// Appends one request's bytes at `offset`, which must be the session's durable offset. The
    /// offset moves only over bytes that are fsynced; a request cut off mid-way keeps what arrived
    /// (unless it carried a checksum, which its bytes can no longer match). The prefix check runs on
    /// the first bytes, the final stage when the last one arrives. Returns the session as stored.
    func append<Body: AsyncSequence & Sendable>(
        _ id: String, at offset: Int64, body: Body, checksum: UploadChecksum?
    ) async throws -> UploadSessionRecord where Body.Element == ByteBuffer {
        var session = try await self.session(id)
        if let refusal = Self.refusal(of: session) { throw refusal }
        guard session.state == .receiving else { throw UploadError.complete }
        guard offset == session.offset else { throw UploadError.offsetMismatch(expected: session.offset) }
        let holder = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        var renewedAt = clock()
        guard let leased = try await metadata.leaseUpload(idHash: session.idHash, holder: holder, now: renewedAt, until: renewedAt + lease)
        else { throw UploadError.locked(retryAfter: Int(lease.rounded(.up))) }
        session = leased
        guard session.state == .receiving, session.offset == offset else {
            _ = try await metadata.updateUpload(session, holder: holder, releasingLease: true)
            throw session.state == .receiving ? UploadError.offsetMismatch(expected: session.offset) : UploadError.complete
        }
        let appender: UploadAppender
        // The prefix stage's bytes so far, re-read from the file; nil once the stage has decided.
        var prefix: [UInt8]?
        do {
            if let segments {
                try await staging.restore(idHash: session.idHash, upTo: offset, segments: session.segments, from: segments)
            }
            appender = try staging.append(idHash: session.idHash, at: offset)
            if offset < DocumentScanner.prefixLength { prefix = try staging.prefix(idHash: session.idHash, count: Int(offset)) }
        } catch {
            _ = try? await metadata.updateUpload(session, holder: holder, releasingLease: true)
            switch error as? UploadStagingError {
            case .bytesMissing?: throw UploadError.bytesMissing
            case .corrupt(let key)?:
                Self.logger.error("upload segment does not match its SHA-256: the upload must start again", metadata: ["key": .string(key)])
                throw UploadError.bytesMissing
            default: throw error
            }
        }
        var requestHash = checksum?.hasher()
        var cutOff: (any Error)?
        do {
            do {
                for try await buffer in body {
                    let bytes = Array(buffer.readableBytesView)
                    Self.bytesReceived.increment(by: bytes.count)
                    guard appender.writtenOffset + Int64(bytes.count) <= session.length else {
                        throw UploadError.beyondLength(length: session.length)
                    }
                    if var sniffed = prefix {
                        sniffed.append(contentsOf: bytes.prefix(DocumentScanner.prefixLength - sniffed.count))
                        switch scanner.sniff(prefix: sniffed) {
                        case .rejected(let rejection): throw rejection
                        case .candidate: prefix = nil
                        case .needMoreBytes: prefix = sniffed
                        }
                    }
                    try appender.write(bytes)
                    requestHash?.update(bytes)
                    if clock().timeIntervalSince(renewedAt) > lease / 3 {
                        renewedAt = clock()
                        let renewed = try await metadata.leaseUpload(
                            idHash: session.idHash, holder: holder, now: renewedAt, until: renewedAt + lease)
                        guard renewed != nil else { throw UploadError.leaseLost }
                    }
                }
            } catch let error where !(error is UploadError || error is Rejection || error is BlobStoreError || error is UploadStagingError) {
                // The body failed (the connection dropped): what arrived is kept, unless it was to
                // match a checksum, which a part of it cannot be checked against.
                if checksum != nil { throw error }
                cutOff = error
            }
            if let checksum, cutOff == nil, requestHash?.finalize() != checksum.digest {
                throw UploadError.checksumMismatch
            }
        } catch let rejection as Rejection {
            appender.rollback()
            try await refuse(&session, rejection, holder: holder)
            throw Self.refusal(of: session)!
        } catch {
            appender.rollback()
            _ = try? await metadata.updateUpload(session, holder: holder, releasingLease: true)
            if error is UploadStagingError { throw UploadError.leaseLost }
            throw error
        }
        let isLast = appender.writtenOffset == session.length
        let committed: (offset: Int64, sha256: String?)
        do {
            committed = try appender.commit(isLast: isLast)
        } catch UploadStagingError.revoked {
            throw UploadError.leaseLost
        } catch {
            _ = try? await metadata.updateUpload(session, holder: holder, releasingLease: true)
            throw error
        }
        if let segments, committed.offset > offset {
            do {
                let path = staging.path(idHash: session.idHash)
                session.segments.append(
                    try await segments.put(idHash: session.idHash, file: path, offset: offset, length: committed.offset - offset))
            } catch {
                // Durable here but not where the other servers look: the offset stays, and this
                // server's copy past it is cut off by the next request.
                staging.forget(idHash: session.idHash)
                _ = try? await metadata.updateUpload(session, holder: holder, releasingLease: true)
                throw error
            }
        }
        session.offset = committed.offset
        if let sha256 = committed.sha256 {
            do {
                try await finish(&session, sha256: sha256)
            } catch {
                // The bytes are all there: a later empty request at the end runs the final stage again.
                if (try? await metadata.updateUpload(session, holder: holder, releasingLease: true)) != true {
                    staging.forget(idHash: session.idHash)
                }
                throw error
            }
        }
        guard try await metadata.updateUpload(session, holder: holder, releasingLease: true) else {
            staging.forget(idHash: session.idHash)
            throw UploadError.leaseLost
        }
        session.leaseHolder = nil
        session.leaseExpiresAt = nil
        if session.state == .refused {
            try? await removeBytes(idHash: session.idHash)
            throw Self.refusal(of: session)!
        }
        if let cutOff { throw cutOff }
        return session
    }

    /// Ends a session at once: its row and its bytes go (tus termination).
    func terminate(_ id: String) async throws {
        let idHash = UploadId(value: id).hash
        guard try await metadata.upload(idHash: idHash) != nil else { throw UploadError.notFound }
        try await removeBytes(idHash: idHash)
        _ = try await metadata.deleteUpload(idHash: idHash)
        Counter(label: "docintake_uploads_total", dimensions: [("event", "terminated")]).increment()
    }

    /// Deletes every expired session with its bytes; returns how many. A used session's bytes were
    /// placed as a blob, which is referenced by its application and never touched here.
    @discardableResult
    func sweepExpired() async throws -> Int {
        var swept = 0
        for session in try await metadata.expiredUploads(now: clock()) {
            try await removeBytes(idHash: session.idHash)
            if try await metadata.deleteUpload(idHash: session.idHash) { swept += 1 }
        }
        // A file whose session is gone (deleted by another server sharing the database, or by a
        // sweep that failed half-way) goes once it is older than any session can be.
        for idHash in try staging.idleSessions(olderThan: lifetime) where try await metadata.upload(idHash: idHash) == nil {
            try staging.remove(idHash: idHash)
        }
        if swept > 0 {
            Counter(label: "docintake_uploads_total", dimensions: [("event", "expired")]).increment(by: swept)
            Self.logger.info("expired uploads swept", metadata: ["count": .stringConvertible(swept)])
        }
        return swept
    }

    /// Deletes a session's bytes here and, before its row may go, in shared storage.
    func removeBytes(idHash: String) async throws {
        try staging.remove(idHash: idHash)
        try await segments?.removeAll(idHash: idHash)
    }

    /// The final stage on the complete file: the Scanner's whole-file check, then clamd.
    private func finish(_ session: inout UploadSessionRecord, sha256: String) async throws {
        let path = staging.path(idHash: session.idHash)
        let scanner = self.scanner
        let verdict = try await Blocking.run { try scanner.scan(fileAt: path) }
        switch verdict.result {
        case .failure(let rejection):
            apply(rejection, to: &session)
        case .success(let type):
            if let antivirus, case .infected(let signature) = try await virusScan(path, clamd: antivirus) {
                Self.logger.warning(
                    "upload refused: malware found",
                    metadata: ["slot": .string(session.slot.rawValue), "signature": .string(signature), "sha256": .string(sha256)])
                Counter(label: "docintake_antivirus_found_total", dimensions: [("signature", signature)]).increment()
                apply(Rejection(.infected, detail: "clamd: \(signature)"), to: &session)
                return
            }
            session.state = .accepted
            session.detectedType = type.rawValue
            session.sha256 = sha256
            Counter(label: "docintake_uploads_total", dimensions: [("event", "accepted")]).increment()
        }
    }

    /// Streams the complete file to clamd; an unavailable clamd fails the request (503), and the
    /// upload stays complete but unchecked until a retry.
    private func virusScan(_ path: String, clamd: ClamdClient) async throws -> ClamdVerdict {
        let stream = clamd.stream()
        let reader = try FileChunks(path: path)
        while let chunk = try await Blocking.run({ try reader.next() }) {
            await stream.send(chunk)
        }
        await stream.finish()
        do throws(ClamdError) {
            return try await stream.verdict()
        } catch {
            throw IntakeError.scannerUnavailable(error)
        }
    }

    private func refuse(_ session: inout UploadSessionRecord, _ rejection: Rejection, holder: String) async throws {
        apply(rejection, to: &session)
        try? await removeBytes(idHash: session.idHash)
        _ = try await metadata.updateUpload(session, holder: holder, releasingLease: true)
    }

    private func apply(_ rejection: Rejection, to session: inout UploadSessionRecord) {
        let error = FieldError(session.slot, rejection)
        session.state = .refused
        session.refusalCode = error.code
        session.refusalMessage = error.message
        session.refusalMessageEn = error.messageEn
        UploadMetrics.rejected(reason: rejection.reason.rawValue)
    }

    /// The refusal a refused session answers every request with.
    static func refusal(of session: UploadSessionRecord) -> UploadError? {
        guard session.state == .refused else { return nil }
        return .refused(
            session.slot, code: session.refusalCode ?? "rejected", message: session.refusalMessage ?? "", messageEn: session.refusalMessageEn ?? "")
    }
}

/// A file read in chunks on a blocking thread.
private final class FileChunks: @unchecked Sendable {
    private let handle: FileHandle

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw UploadError.notFound }
        self.handle = handle
    }

    deinit { try? handle.close() }

    func next() throws -> [UInt8]? {
        guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
        return Array(data)
    }
}
