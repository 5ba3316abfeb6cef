import DocIntakeAPI
import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func insertUpload(_ upload: UploadSessionRecord) async throws {
        try await writeImmediate { db in try upload.insert(db) }
    }

    public func upload(idHash: String) async throws -> UploadSessionRecord? {
        try await pool.read { db in try UploadSessionRecord.fetchOne(db, key: idHash) }
    }

    public func leaseUpload(idHash: String, holder: String, now: Date, until: Date) async throws -> UploadSessionRecord? {
        try await writeImmediate { db in
            guard var upload = try UploadSessionRecord.fetchOne(db, key: idHash) else { throw MetadataStoreError.notFound }
            if upload.isLeased(againstHolder: holder, at: now) { return nil }
            upload.leaseHolder = holder
            upload.leaseExpiresAt = until
            try upload.update(db)
            return upload
        }
    }

    public func updateUpload(_ upload: UploadSessionRecord, holder: String, releasingLease: Bool) async throws -> Bool {
        try await writeImmediate { db in
            guard let stored = try UploadSessionRecord.fetchOne(db, key: upload.idHash), stored.leaseHolder == holder else { return false }
            var upload = upload
            upload.leaseHolder = releasingLease ? nil : holder
            upload.leaseExpiresAt = releasingLease ? nil : stored.leaseExpiresAt
            try upload.update(db)
            return true
        }
    }

    public func useUpload(idHash: String, slot: DocumentSlot, now: Date) async throws -> UploadSessionRecord? {
        try await writeImmediate { db in
            guard let upload = try UploadSessionRecord.fetchOne(db, key: idHash), upload.state == .accepted, upload.slot == slot,
                upload.expiresAt > now, !upload.isLeased(againstHolder: "", at: now)
            else { return nil }
            var used = upload
            used.state = .used
            try used.update(db)
            return upload
        }
    }

    public func restoreUpload(idHash: String) async throws -> Bool {
        try await writeImmediate { db in
            guard var upload = try UploadSessionRecord.fetchOne(db, key: idHash), upload.state == .used else { return false }
            upload.state = .accepted
            try upload.update(db)
            return true
        }
    }

    public func deleteUpload(idHash: String) async throws -> Bool {
        try await writeImmediate { db in try UploadSessionRecord.deleteOne(db, key: idHash) }
    }

    public func expiredUploads(now: Date) async throws -> [UploadSessionRecord] {
        try await pool.read { db in
            try UploadSessionRecord
                .filter(UploadSessionRecord.Columns.expiresAt <= now)
                .order(UploadSessionRecord.Columns.expiresAt, UploadSessionRecord.Columns.idHash)
                .fetchAll(db)
        }
    }
}
