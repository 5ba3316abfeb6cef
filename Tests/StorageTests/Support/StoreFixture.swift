import DocIntakeAPI
import Foundation

@testable import Storage

/// A blob store and a metadata store in one temporary directory, with helpers that commit
/// applications the way IntakeService does: reserve the blobs, place them, commit the rows.
final class StoreFixture: Sendable {
    let directory: TemporaryDirectory
    let blobs: FileBlobStore
    let metadata: SQLiteMetadataStore
    var collector: BlobCollector { BlobCollector(blobs: blobs, metadata: metadata) }
    var placement: BlobPlacement { BlobPlacement(blobs: blobs, metadata: metadata) }

    init() throws {
        directory = try TemporaryDirectory()
        blobs = try FileBlobStore(root: directory.path)
        metadata = try SQLiteMetadataStore(path: directory.path + "/meta.sqlite")
    }

    func seal(_ bytes: [UInt8]) throws -> SealedBlob {
        let staged = try blobs.stage()
        try staged.write(bytes)
        return try staged.seal()
    }

    /// Commits a new workplace-clinic application whose documents hold `documents` (slot → bytes).
    @discardableResult
    func submit(_ documents: [DocumentSlot: [UInt8]], at date: Date = Date(), id: String = UUID().uuidString) async throws -> ApplicationRecord {
        let sealed = try documents.mapValues(seal)
        var application = SQLiteMetadataStoreTests.application(id: id, receipt: "R-" + id)
        application.createdAt = date
        application.updatedAt = date
        application.statusChangedAt = date
        let rows = sealed.sorted { $0.key.rawValue < $1.key.rawValue }.map { slot, blob in
            DocumentRecord(
                applicationId: id, slot: slot, blobSha256: blob.digest.hex, size: blob.size,
                originalFilename: "\(slot.rawValue).pdf", detectedType: "pdf", mimeType: "application/pdf", uploadedAt: date)
        }
        try await placement.place(Array(sealed.values), at: date) { reservation in
            try await metadata.insertApplication(
                application, documents: rows, audit: AuditEntry(applicationId: id, at: date, actor: "applicant", action: "submit"),
                notice: nil, releasing: reservation)
        }
        return application
    }

    /// Moves an application to `status` as a reviewer's decision would, at `date`.
    @discardableResult
    func move(_ id: String, to status: ApplicationStatus, at date: Date = Date()) async throws -> ApplicationRecord {
        try await metadata.transition(
            applicationId: id, from: Set(ApplicationStatus.allCases), to: status,
            audit: AuditEntry(applicationId: id, at: date, actor: "reviewer:test", action: status.rawValue), notice: nil)
    }

    /// Deletes the application's documents under `rule`, as the retention job would.
    @discardableResult
    func expire(
        _ application: ApplicationRecord, rule: String = "rejected", closingAs closing: ApplicationStatus? = nil
    ) async throws -> DocumentExpiryOutcome {
        let current = try await require(try metadata.application(id: application.id))
        return try await metadata.expireDocuments(
            DocumentExpiry(
                applicationId: current.id, expectedStatus: current.status, expectedStatusChangedAt: current.statusChangedAt,
                rule: rule, at: Date(), actor: "operator:tester", operatorUser: "tester", closingStatus: closing,
                closingReason: closing.map { _ in "retention: left \(current.status.rawValue)" }))
    }

    func path(_ sha: String) -> String { blobs.path(of: BlobDigest(hex: sha)!) }

    func exists(_ sha: String) -> Bool { FileManager.default.fileExists(atPath: path(sha)) }

    /// Reads a blob through the verifying reader; throws if it is missing or corrupt.
    func verify(_ sha: String) async throws {
        let reader = try await blobs.open(BlobDigest(hex: sha)!)
        while try await reader.next() != nil {}
    }

    /// Sets a file's modification time `seconds` into the past.
    func age(_ path: String, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: path)
    }
}

/// `#require` for throwing helpers outside a test function.
func require<T>(_ value: T?, _ message: String = "required value was nil") throws -> T {
    guard let value else { throw FixtureError(message) }
    return value
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
