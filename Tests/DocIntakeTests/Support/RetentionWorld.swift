import Crypto
import Foundation
import Storage
import Testing

@testable import DocIntake

/// A running server with applications put into states through the real services, for the
/// retention tests: submissions over HTTP (curl), decisions through ReviewService with the
/// decision date injected.
struct RetentionWorld: Sendable {
    let server: TestServer
    let stores: Stores
    /// Where generated documents are written.
    let scratch: String

    static let tester = OperatorIdentity.person("tester")

    static func with(
        retentionInterval: Duration? = nil, retentionPolicy: RetentionPolicy = RetentionPolicy(),
        _ body: @Sendable (RetentionWorld) async throws -> Void
    ) async throws {
        try await TestServer.with(retentionInterval: retentionInterval, retentionPolicy: retentionPolicy) { server in
            let scratch = NSTemporaryDirectory() + "retention-docs-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let world = await RetentionWorld(server: server, stores: try server.stores(), scratch: scratch)
            _ = try await ReviewerAdmin(metadata: world.stores.metadata).add(name: "sato")
            try await body(world)
        }
    }

    /// A small PDF whose bytes are unique to `label`, as a file to upload.
    func document(_ label: String) throws -> String {
        let unique = UUID().uuidString
        let path = scratch + "/" + label + "-" + unique + ".pdf"
        try Data("%PDF-1.4\n% \(label) \(unique)\n%%EOF\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Submits a workplace clinic's application with both documents over HTTP; returns its id.
    func submit(notification: String? = nil, permit: String? = nil) async throws -> String {
        let notification = try notification ?? document("notification")
        let permit = try permit ?? document("permit")
        let result = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(notification);type=application/pdf",
                "-F", "opening_permit=@\(permit);type=application/pdf",
                server.baseURL + "/api/v1/applications",
            ])
        guard result.status == 201, let id = result.json["id"] as? String else {
            throw TestFailure("submission failed: \(result.status) \(result.text)")
        }
        return id
    }

    /// Submits a medical institution's application, which has no documents.
    func submitMedical() async throws -> String {
        let result = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
        guard result.status == 201, let id = result.json["id"] as? String else {
            throw TestFailure("submission failed: \(result.status) \(result.text)")
        }
        return id
    }

    /// A reviewer's decision taken at `date` (claiming first where review requires it).
    func decide(_ id: String, _ decision: Decision, at date: Date) async throws {
        let review = ReviewService(blobs: stores.blobs, metadata: stores.metadata, clock: { date })
        let sato = try await #require(try stores.metadata.reviewers().first)
        if try await stores.metadata.application(id: id)?.institutionKind == .workplaceClinic {
            _ = try await review.claim(id, by: sato)
        }
        _ = try await review.decide(id, decision: decision, reason: decision == .approve ? nil : "理由", by: sato)
    }

    /// Withdrawn at `date`. No service withdraws an application except retention itself, so this
    /// uses the store directly.
    func withdraw(_ id: String, at date: Date) async throws {
        try await stores.metadata.transition(
            applicationId: id, from: [.submitted, .underReview, .returned], to: .withdrawn,
            audit: AuditEntry(applicationId: id, at: date, actor: "operator:tester", action: "withdraw"), notice: nil)
    }

    func job(_ policy: RetentionPolicy = RetentionPolicy()) -> RetentionJob {
        RetentionJob(blobs: stores.blobs, metadata: stores.metadata, policy: policy)
    }

    /// Runs the job off the cooperative pool (it blocks on SQLite and the file system).
    func run(_ policy: RetentionPolicy = RetentionPolicy(), now: Date? = nil, dryRun: Bool = false) async throws -> RetentionSummary {
        let job = self.job(policy)
        return try await job.run(now: now, dryRun: dryRun, by: Self.tester)
    }

    func documents(_ id: String) async throws -> [DocumentRecord] { try await stores.metadata.documents(applicationId: id) }

    func status(_ id: String) async throws -> ApplicationStatus? { try await stores.metadata.application(id: id)?.status }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The blob file of a digest, for the tests that work on the directory store's files (others use `BlobTamper`).
    func blobPath(_ sha: String) throws -> String {
        guard let files = stores.blobs as? FileBlobStore else { throw TestFailure("this test needs the directory blob store") }
        return files.path(of: BlobDigest(hex: sha)!)
    }

    /// Reads a blob through the verifying reader; throws if it is missing or corrupt.
    func verify(_ sha: String) async throws {
        let reader = try await stores.blobs.open(BlobDigest(hex: sha)!)
        while try await reader.next() != nil {}
    }

    /// Sets a file's modification time `seconds` into the past.
    func age(_ path: String, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: path)
    }

    /// Everything retention could change, as lines: every application with its documents and
    /// history, deletion records, holds, blob rows, and every file under blobs/ and tmp/ with its
    /// size and modification time. `jobRuns` adds the latest recorded runs.
    func snapshot(jobRuns: Bool = true) async throws -> [String] {
        let metadata = stores.metadata
        var lines: [String] = []
        for application in try await metadata.applications(statuses: nil, after: nil, limit: 10_000).map(\.record) {
            lines.append("application \(application.id) \(application.status.rawValue) \(application.statusChangedAt.timeIntervalSince1970)")
            for document in try await metadata.documents(applicationId: application.id) {
                lines.append("  document \(document.id ?? 0) \(document.slot.rawValue) \(document.blobSha256) \(document.supersededAt != nil)")
            }
            for entry in try await metadata.auditLog(applicationId: application.id) {
                lines.append("  audit \(entry.id ?? 0) \(entry.actor) \(entry.action) \(entry.toStatus?.rawValue ?? "-") \(entry.detail ?? "")")
            }
        }
        for record in try await metadata.deletionRecords(applicationId: nil) {
            lines.append("deletion \(record.id ?? 0) \(record.applicationId) \(record.documentId) \(record.rule) \(record.actor)")
        }
        for hold in try await metadata.legalHolds() { lines.append("hold \(hold.applicationId) \(hold.reason)") }
        for usage in try await metadata.blobUsage() { lines.append("blob row \(usage.blob.sha256) \(usage.blob.size) refs \(usage.references)") }
        if jobRuns {
            for job in ["retention", "scrub"] { lines.append("last \(job) run \(try await metadata.lastJobRun(job: job)?.id ?? 0)") }
        }
        let root = server.dataDirectory
        for directory in ["blobs", "tmp"] {
            let files = (FileManager.default.enumerator(atPath: root + "/" + directory)?.allObjects as? [String] ?? []).sorted()
            for file in files {
                let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + directory + "/" + file)
                guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                lines.append("file \(directory)/\(file) \(attributes[.size] ?? 0) \(modified)")
            }
        }
        return lines
    }
}

/// Dates in Japan time, as the rules count.
enum JST {
    static func date(_ text: String) -> Date {
        guard let date = OperatorDate.parse(text) else { fatalError("bad date \(text)") }
        return date
    }
}

let day: TimeInterval = 86400
