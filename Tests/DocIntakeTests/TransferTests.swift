import Crypto
import Foundation
import PostgresTestSupport
import S3
import S3TestSupport
import Storage
import Testing

@testable import DocIntake

/// `docintake transfer` (issue 20): an embedded installation, populated through a real server,
/// moved into PostgreSQL and a moto bucket, then served by a server on the new stores.
@Suite(.serialized) struct TransferTests {
    @Test func aPopulatedInstallationMovesIntactAndTheNewServerServesTheSameBytes() async throws {
        let installation = try await EmbeddedInstallation.populated()
        defer { installation.remove() }
        let target = try await TransferTarget.fresh()

        let first = try await target.transfer(from: installation)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let migrations = try await PostgresCluster.shared().withConnection(url: target.databaseURL) { connection in
            try await connection.query("SELECT count(*) FROM schema_migrations", logger: .init(label: "test")).collect()[0].decode(Int.self)
        }
        // Opening the store now applies nothing more: the transfer migrated the empty database itself.
        let known = try await target.withMetadata { try await $0.appliedMigrations() }
        #expect(migrations == known.count && known.count >= 6, "\(migrations) applied by the transfer, \(known) known")
        let report = try first.report()
        let documents = try await installation.documentCount()
        #expect(report.tables["applications"] == .init(copied: installation.applicants.count, alreadyPresent: 0))
        #expect(report.tables["documents"]?.copied == documents && documents == installation.currentFiles.count + 1, "a replaced one too")
        #expect(report.tables["reviewers"]?.copied == 1 && report.tables["legal_holds"]?.copied == 1)
        #expect((report.tables["deletion_records"]?.copied ?? 0) == 2, "the rejected application's two documents")
        #expect((report.tables["outbox"]?.copied ?? 0) >= installation.applicants.count, "one notice per submission at least")
        #expect((report.tables["audit_log"]?.copied ?? 0) > installation.applicants.count && report.tables["job_runs"]?.copied == 1)
        #expect(report.blobsCopied == installation.currentFiles.count + 1 && report.blobsAlreadyPresent == 0, "\(first.stdout)")
        #expect(report.bytesCopied > 3 << 20 && report.failedBlobs.isEmpty && report.complete)
        #expect(report.pepperFile == installation.directory + "/pepper", "the report names the pepper the new servers need")
        #expect(try await target.snapshot() == (try await installation.snapshot()), "every row as it was")

        // Run twice, it does what one run does.
        let second = try await target.transfer(from: installation)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let again = try second.report()
        #expect(again.tables.values.allSatisfy { $0.copied == 0 } && again.blobsCopied == 0 && again.bytesCopied == 0)
        #expect(again.blobsAlreadyPresent == report.blobsCopied && again.tables == report.tables.mapValues { .init(alreadyPresent: $0.copied) })
        #expect(try await target.snapshot() == (try await installation.snapshot()))

        // A server on the new stores, with the old pepper, serves every document with the same bytes.
        try await target.serve(pepperFrom: installation) { server in
            let out = NSTemporaryDirectory() + "transfer-downloads-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: out) }
            var downloaded: Set<String> = []
            for applicant in installation.applicants where !applicant.currentFiles.isEmpty {
                let result = try await Program.run(
                    try Program.reviewBinary(), ["download", applicant.receiptNumber, "--output", out + "/" + applicant.id],
                    environment: ["DOCINTAKE_SERVER": server.baseURL, "DOCINTAKE_TOKEN": installation.reviewerToken])
                #expect(result.status == 0, "\(result.stderr)")
                let files = try FileManager.default.contentsOfDirectory(atPath: out + "/" + applicant.id)
                downloaded.formUnion(try files.map { try Self.sha256(out + "/" + applicant.id + "/" + $0) })
            }
            #expect(downloaded == Set(try installation.currentFiles.map(Self.sha256)), "the same SHA-256s")

            for applicant in installation.applicants {
                let view = try await Curl.run(
                    ["-H", "Authorization: Bearer \(applicant.token)", server.baseURL + "/api/v1/applications/\(applicant.id)"])
                #expect(view.status == 200, "the applicant's token still works: \(view.text)")
                #expect(view.json["receipt_number"] as? String == applicant.receiptNumber)
                #expect(view.json["status"] as? String == applicant.status)
                let page = try await Curl.run([server.baseURL + "/applications/\(applicant.id)"])
                #expect(page.status == 200)
            }
            let stranger = try await Curl.run(
                [
                    "-H", "Authorization: Bearer \(installation.applicants[1].token)",
                    server.baseURL + "/api/v1/applications/\(installation.applicants[0].id)",
                ])
            #expect(stranger.status != 200, "another applicant's token still does not")
        }
        // The 秘密の番号 hashes mean what they meant: under the old pepper, the applicant's digits match.
        let hasher = SecretHasher(pepper: try Pepper.load(path: installation.directory + "/pepper", create: false))
        for applicant in installation.applicants {
            let stored = try #require(try await target.withMetadata { try await $0.application(id: applicant.id)?.secretNumberHash })
            #expect(try hasher.verify(SecretNumber(digits: "4821"), against: stored))
        }
    }

    @Test func aServerHoldingTheDirectoryIsRefusedInBothLanguages() async throws {
        let installation = try await EmbeddedInstallation.populated(applications: 1)
        defer { installation.remove() }
        let target = try await TransferTarget.fresh()
        let server = try await ServerProcess(dataDirectory: installation.directory)
        let refused = try await target.transfer(from: installation)
        server.stop()
        #expect(refused.status == 75, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("使用中") && refused.stderr.contains("stop it, then run the transfer"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(try await target.objects().isEmpty)
        let listed = try await target.withMetadata { try await $0.applications(statuses: nil, after: nil, limit: 10) }
        #expect(listed.isEmpty, "nothing was copied")

        // Nor while an operator's job works on it (those do not take the server's lock).
        let source = try SQLiteMetadataStore(path: installation.directory + "/docintake.sqlite")
        #expect(try await source.acquireJobLease(job: "retention", holder: "test", now: Date(), expiresAt: Date().addingTimeInterval(600)))
        let busy = try await target.transfer(from: installation)
        #expect(busy.status == 75 && busy.stderr.contains("実行中") && busy.stderr.contains("(retention) is running"), "\(busy.stderr)")
        try await source.releaseJobLease(job: "retention", holder: "test")

        let nowhere = NSTemporaryDirectory() + "transfer-nothing-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: nowhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: nowhere) }
        let empty = try await target.transfer(from: EmbeddedInstallation(directory: nowhere, applicants: [], reviewerToken: ""))
        #expect(empty.status == 1 && empty.stderr.contains("There is no docintake.sqlite in \(nowhere)"), "\(empty.stderr)")

        let stopped = try await target.transfer(from: installation)
        #expect(stopped.status == 0, "once the server is stopped and the job done it runs: \(stopped.stderr)")
    }

    @Test func aCorruptBlobIsNamedNotCopiedAndMarkedTheRestIsCopied() async throws {
        let installation = try await EmbeddedInstallation.populated(applications: 3)
        defer { installation.remove() }
        let target = try await TransferTarget.fresh()
        let victim = installation.applicants[0]
        let digest = try Self.sha256(try #require(victim.currentFiles.last))
        let blobs = try FileBlobStore(root: installation.directory)
        try await BlobTamper.flip(digest, in: blobs)
        // And one whose file is gone.
        let lost = try Self.sha256(try #require(installation.applicants[2].currentFiles.last))
        let lostPath = blobs.path(of: try #require(BlobDigest(hex: lost)))
        try FileManager.default.moveItem(atPath: lostPath, toPath: lostPath + ".away")

        let result = try await target.transfer(from: installation, json: false)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAILED blob sha256:\(digest) (corrupt), not copied"), "\(result.stdout)")
        #expect(result.stdout.contains(victim.receiptNumber))
        #expect(result.stdout.contains("--pepper-file naming a copy of \(installation.directory)/pepper"), "\(result.stdout)")
        #expect(result.stdout.contains("FAILED blob sha256:\(lost) (missing), not copied"), "\(result.stdout)")
        #expect(result.stdout.contains("blobs: \(installation.currentFiles.count - 2) copied"), "\(result.stdout)")
        #expect(try await target.object(digest) == nil, "the corrupt bytes were not stored")
        for file in installation.currentFiles where try ![digest, lost].contains(Self.sha256(file)) {
            #expect(try await target.object(try Self.sha256(file)) != nil, "the rest was copied")
        }
        #expect(try await target.withMetadata { try await $0.blobCorruption(sha256: digest) } != nil)
        #expect(try await target.withMetadata { try await $0.blobCorruption(sha256: lost) } != nil)
        #expect(try await target.withMetadata { try await $0.documents(applicationId: victim.id) }.count == 2, "its document row is kept")

        try await target.serve(pepperFrom: installation) { server in
            let download = try await Program.run(
                try Program.reviewBinary(), ["download", victim.receiptNumber, "--output", NSTemporaryDirectory() + UUID().uuidString],
                environment: ["DOCINTAKE_SERVER": server.baseURL, "DOCINTAKE_TOKEN": installation.reviewerToken])
            #expect(download.status != 0 && download.stderr.contains("corrupt"), "blob_corrupt, not a missing object: \(download.stderr)")
        }

        // Restored from a backup, the blob goes across on the next run and its mark is lifted.
        try await BlobTamper.flip(digest, in: blobs)
        try FileManager.default.moveItem(atPath: lostPath + ".away", toPath: lostPath)
        let repaired = try await target.transfer(from: installation)
        #expect(repaired.status == 0, "\(repaired.stdout)")
        #expect(try repaired.report().blobsCopied == 2)
        #expect(try await target.object(digest) != nil)
        #expect(try await target.withMetadata { try await $0.blobCorruption(sha256: digest) } == nil)
    }

    @Test func anInterruptedTransferIsCompletedByTheNextRun() async throws {
        let installation = try await EmbeddedInstallation.populated(applications: 3)
        defer { installation.remove() }
        let target = try await TransferTarget.fresh()

        // Stopped after two blobs, as a kill would: two objects, no row.
        try await Self.interrupted(installation, into: target) { if case .blob(2) = $0 { throw Interrupted() } }
        #expect(try await target.objects().count == 2)
        #expect(try await target.withMetadata { try await $0.applications(statuses: nil, after: nil, limit: 10) }.isEmpty)
        // Then after the documents: applications and documents, but no audit log yet.
        try await Self.interrupted(installation, into: target) { if case .rows(.documents, _) = $0 { throw Interrupted() } }
        #expect(try await target.objects().count == installation.currentFiles.count)
        let id = installation.applicants[0].id
        #expect(try await target.withMetadata { try await $0.documents(applicationId: id) }.count == 2)
        #expect(try await target.withMetadata { try await $0.auditLog(applicationId: id) }.isEmpty)

        let resumed = try await target.transfer(from: installation)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let report = try resumed.report()
        #expect(report.blobsAlreadyPresent == installation.currentFiles.count && report.blobsCopied == 0, "\(resumed.stdout)")
        #expect(report.tables["applications"] == .init(copied: 0, alreadyPresent: 3))
        #expect(report.tables["documents"] == .init(copied: 0, alreadyPresent: 6))
        #expect((report.tables["audit_log"]?.copied ?? 0) >= 3 && report.tables["audit_log"]?.alreadyPresent == 0, "the rest")
        #expect(try await target.snapshot() == (try await installation.snapshot()))
    }

    @Test func aTransferKilledMidwayIsCompletedByTheNextRun() async throws {
        let installation = try await EmbeddedInstallation.populated(applications: 2, largeDocument: 100 << 20)
        defer { installation.remove() }
        let target = try await TransferTarget.fresh()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Program.docintakeBinary())
        process.arguments = [
            "transfer", "--from-data-dir", installation.directory, "--database", target.databaseURL, "--blob-store",
            target.location.description, "--s3-path-style", "--quiet",
        ]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(target.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // SIGKILL once the four small blobs are across, while the 100 MiB one (the last) is on its way.
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, try await target.objects().count < 4, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(process.terminationReason == .uncaughtSignal, "killed before it finished")
        let large = try Self.sha256(try #require(installation.currentFiles.last))
        #expect(try await target.object(large) == nil, "the object cut off mid-upload is not there")

        let resumed = try await target.transfer(from: installation)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let report = try resumed.report()
        #expect(report.blobsAlreadyPresent == 4 && report.blobsCopied == 1, "\(resumed.stdout)")
        #expect(report.tables["applications"] == .init(copied: 3, alreadyPresent: 0), "no row had been written")
        #expect(try await target.snapshot() == (try await installation.snapshot()))
        for file in installation.currentFiles {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
            #expect(try await target.object(try Self.sha256(file))?.size == Int64(size))
        }
    }

    /// A transfer in this process, stopped where `stop` throws.
    static func interrupted(
        _ installation: EmbeddedInstallation, into target: TransferTarget, where stop: @escaping @Sendable (InstallationTransfer.Step) throws -> Void
    ) async throws {
        var transfer = DataDirectoryTransfer(
            dataDirectory: installation.directory, database: try DatabaseURL(target.databaseURL), blobStore: target.location)
        transfer.environment = target.environment
        transfer.onStep = stop
        await #expect(throws: Interrupted.self) { try await transfer.run() }
    }

    @Test func aTargetHoldingAnotherInstallationIsRefusedAndAChangedRowIsAConflict() async throws {
        let installation = try await EmbeddedInstallation.populated(applications: 1)
        defer { installation.remove() }
        let other = try await EmbeddedInstallation.populated(applications: 1)
        defer { other.remove() }
        let target = try await TransferTarget.fresh()
        #expect(try await target.transfer(from: other).status == 0)
        let before = try await target.snapshot()

        let refused = try await target.transfer(from: installation)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("another installation") && refused.stderr.contains(other.applicants[0].receiptNumber), "\(refused.stderr)")
        #expect(try await target.snapshot() == before, "nothing was merged")

        // The same installation, but the target's copy changed since (a server ran on it): a conflict, nothing overwritten.
        let id = other.applicants[0].id
        _ = try await target.withMetadata { store in
            try await store.transition(
                applicationId: id, from: [.submitted], to: .underReview,
                audit: AuditEntry(applicationId: id, at: Date(), actor: "test", action: "claim"), notice: nil)
        }
        let changed = try await target.snapshot()
        let conflict = try await target.transfer(from: other, json: false)
        #expect(conflict.status == 1, "\(conflict.stdout)\(conflict.stderr)")
        #expect(
            conflict.stdout.contains("CONFLICT applications") && conflict.stdout.contains(other.applicants[0].receiptNumber), "\(conflict.stdout)")
        #expect(try await target.snapshot() == changed)
    }

    @Test func aLargeBlobStreamsThroughInConstantMemory() async throws {
        let small = try await EmbeddedInstallation.populated(applications: 1)
        defer { small.remove() }
        let large = try await EmbeddedInstallation.populated(applications: 0, largeDocument: 100 << 20)
        defer { large.remove() }
        let target = try await TransferTarget.fresh()
        let other = try await TransferTarget.fresh()

        let (baseline, smallRun) = try await other.measuredTransfer(from: small)
        #expect(smallRun.status == 0, "\(smallRun.stderr)")
        let (peak, run) = try await target.measuredTransfer(from: large)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let file = try #require(large.currentFiles.first)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let copied = try run.report().bytesCopied
        #expect(size > 99 << 20 && copied == Int64(size))
        #expect(peak - baseline < 32 << 10, "peak \(peak) KiB moving 100 MiB vs \(baseline) KiB moving a few KiB")
        let digest = try Self.sha256(file)
        let object = try #require(try await target.object(digest))
        let checksum = Data(try #require(BlobDigest(hex: digest)).bytes).base64EncodedString()
        #expect(object.size == Int64(size) && object.checksumSHA256 == checksum)
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }
}

private struct Interrupted: Error {}

/// A data directory of the embedded default, filled through a real `docintake serve` process (always
/// SQLite and `blobs/`, whichever backend the rest of the suite runs on) and the operator's and
/// reviewer's commands, then stopped.
struct EmbeddedInstallation: Sendable {
    struct Applicant: Sendable {
        let id: String
        let receiptNumber: String
        let token: String
        /// The status it was left in.
        let status: String
        /// The files of its current documents (none once retention deleted them).
        let currentFiles: [String]
    }

    let directory: String
    let applicants: [Applicant]
    let reviewerToken: String

    var currentFiles: [String] { applicants.flatMap(\.currentFiles) }

    /// With `applications` ≥ 4: one returned whose permit was replaced and which was resubmitted, one
    /// approved and held, one left submitted (with a 3 MiB document), one rejected and its documents
    /// deleted by a retention run (deletion records); further ones submitted. Fewer: submitted only.
    /// With `largeDocument`, one more application (a change: one document) with a PDF of that size.
    static func populated(applications: Int = 4, largeDocument: Int? = nil) async throws -> EmbeddedInstallation {
        let directory = NSTemporaryDirectory() + "transfer-source-" + UUID().uuidString
        let files = directory + "-files"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }
        let server = try await ServerProcess(dataDirectory: directory)
        defer { server.stop() }
        let docintake = try Program.docintakeBinary()
        let added = try await Program.run(docintake, ["reviewer", "add", "sato", "--data-dir", directory])
        guard added.status == 0 else { throw TestFailure("reviewer add: \(added.stderr)") }
        let reviewerToken = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let review = { (arguments: [String]) async throws in
            let result = try await Program.run(
                try Program.reviewBinary(), arguments, environment: ["DOCINTAKE_SERVER": server.baseURL, "DOCINTAKE_TOKEN": reviewerToken])
            guard result.status == 0 else { throw TestFailure("docintake-review \(arguments): \(result.stderr)") }
        }

        var submitted: [(id: String, receipt: String, token: String, files: [String])] = []
        for index in 0..<applications {
            let notification = try Self.pdf(in: files, "notification-\(index)", padding: index == 2 ? 3 << 20 : 0)
            let permit = try Self.pdf(in: files, "permit-\(index)")
            let created = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                    "-F", "opening_notification=@\(notification);type=application/pdf", "-F", "opening_permit=@\(permit);type=application/pdf",
                    server.baseURL + "/api/v1/applications",
                ])
            guard created.status == 201, let id = created.json["id"] as? String, let receipt = created.json["receipt_number"] as? String,
                let token = created.json["access_token"] as? String
            else { throw TestFailure("submission: \(created.status) \(created.text)") }
            submitted.append((id, receipt, token, [notification, permit]))
        }
        if let largeDocument {
            var fields = ApplicationFields.workplaceClinic
            fields["application_kind"] = "change"
            let notification = try Self.pdf(in: files, "large", padding: largeDocument - 64)
            let created = try await Curl.run(
                ApplicationFields.curlArguments(fields) + [
                    "-F", "opening_notification=@\(notification);type=application/pdf", server.baseURL + "/api/v1/applications",
                ])
            guard created.status == 201, let id = created.json["id"] as? String, let receipt = created.json["receipt_number"] as? String,
                let token = created.json["access_token"] as? String
            else { throw TestFailure("submission: \(created.status) \(created.text)") }
            submitted.append((id, receipt, token, [notification]))
        }
        var statuses = Array(repeating: "submitted", count: submitted.count)
        var kept = submitted.map(\.files)
        if applications >= 4 {
            // Returned, a new permit, resubmitted.
            let a = submitted[0]
            try await review(["claim", a.receipt])
            try await review(["decide", a.receipt, "return", "--reason", "開設許可書の写しが不鮮明です"])
            let replacement = try Self.pdf(in: files, "permit-again")
            let auth = ["-H", "Authorization: Bearer \(a.token)"]
            let replaced = try await Curl.run(
                auth + [
                    "-X", "PUT", "-F", "opening_permit=@\(replacement);type=application/pdf",
                    server.baseURL + "/api/v1/applications/\(a.id)/documents/opening_permit",
                ])
            guard replaced.status == 200 else { throw TestFailure("replace: \(replaced.text)") }
            let resubmitted = try await Curl.run(auth + ["-X", "POST", server.baseURL + "/api/v1/applications/\(a.id)/resubmit"])
            guard resubmitted.status == 200 else { throw TestFailure("resubmit: \(resubmitted.text)") }
            kept[0] = [a.files[0], replacement]
            // Approved and held.
            try await review(["claim", submitted[1].receipt])
            try await review(["decide", submitted[1].receipt, "approve"])
            let hold = try await Program.run(docintake, ["hold", "set", submitted[1].receipt, "--reason", "訴訟対応", "--data-dir", directory])
            guard hold.status == 0 else { throw TestFailure("hold: \(hold.stderr)") }
            statuses[1] = "approved"
            // Rejected, then its documents deleted by retention years later.
            try await review(["claim", submitted[3].receipt])
            try await review(["decide", submitted[3].receipt, "reject", "--reason", "対象外です"])
            let retention = try await Program.run(
                docintake, ["retention", "--now", "2040-01-01", "--grace-hours", "0", "--data-dir", directory], environment: ["USER": "tester"])
            guard retention.status == 0 else { throw TestFailure("retention: \(retention.stdout)\(retention.stderr)") }
            statuses[3] = "rejected"
            kept[3] = []
        }
        // Kept until the installation is removed: the downloads are compared with them.
        let keptDirectory = directory + "-uploads"
        try FileManager.default.createDirectory(atPath: keptDirectory, withIntermediateDirectories: true)
        let applicants = try submitted.indices.map { index in
            let current = try kept[index].map { file in
                let copy = keptDirectory + "/" + URL(fileURLWithPath: file).lastPathComponent
                try FileManager.default.copyItem(atPath: file, toPath: copy)
                return copy
            }
            return Applicant(
                id: submitted[index].id, receiptNumber: submitted[index].receipt, token: submitted[index].token, status: statuses[index],
                currentFiles: current)
        }
        return EmbeddedInstallation(directory: directory, applicants: applicants, reviewerToken: reviewerToken)
    }

    /// A small PDF unique to `label`, about `padding` bytes of comment lines longer (written a line at a time).
    private static func pdf(in directory: String, _ label: String, padding: Int = 0) throws -> String {
        let path = directory + "/" + label + "-" + UUID().uuidString + ".pdf"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw TestFailure("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data("%PDF-1.4\n% \(label) \(UUID().uuidString)\n".utf8))
        let line = Data(("% " + String(repeating: "x", count: 1021) + "\n").utf8)
        for _ in 0..<(padding / line.count) { try handle.write(contentsOf: line) }
        try handle.write(contentsOf: Data(String(repeating: "%", count: padding % line.count).utf8) + Data("\n%%EOF\n".utf8))
        return path
    }

    func documentCount() async throws -> Int {
        let store = try SQLiteMetadataStore(path: directory + "/docintake.sqlite")
        var count = 0
        for applicant in applicants { count += try await store.documents(applicationId: applicant.id).count }
        return count
    }

    func snapshot() async throws -> [String] {
        try await TransferSnapshot.of(try SQLiteMetadataStore(path: directory + "/docintake.sqlite"))
    }

    func remove() {
        for path in [directory, directory + "-uploads"] { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A fresh PostgreSQL database and moto bucket to move an installation into.
struct TransferTarget: Sendable {
    let databaseURL: String
    let location: BlobStoreLocation
    let environment: [String: String]
    let bucket: S3Configuration

    /// Nothing in either yet, not even the schema.
    static func fresh() async throws -> TransferTarget {
        let url = try await freshDatabaseURL()
        let moto = try await MotoServer.shared()
        let bucket = try await moto.freshBucket()
        return TransferTarget(
            databaseURL: url, location: try BlobStoreLocation("s3://\(bucket.bucket)/moved", pathStyle: true), environment: moto.environment,
            bucket: bucket)
    }

    /// `body` with the target's metadata store, closed afterwards.
    func withMetadata<T: Sendable>(_ body: (PostgresMetadataStore) async throws -> T) async throws -> T {
        let store = try await PostgresMetadataStore(url: try DatabaseURL(databaseURL))
        do {
            let result = try await body(store)
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// `docintake transfer` from `installation` into this target (with `--json` unless told otherwise).
    func transfer(from installation: EmbeddedInstallation, json: Bool = true) async throws -> TransferRun {
        let result = try await Program.run(
            try Program.docintakeBinary(),
            [
                "transfer", "--from-data-dir", installation.directory, "--database", databaseURL, "--blob-store", location.description,
                "--s3-path-style",
            ] + (json ? ["--json"] : []), environment: environment)
        return TransferRun(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// `transfer(from:)` under GNU time: its peak resident memory in KiB, and what it printed.
    func measuredTransfer(from installation: EmbeddedInstallation) async throws -> (peakKiB: Int, run: TransferRun) {
        let measured = NSTemporaryDirectory() + "transfer-rss-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: measured) }
        let result = try await Program.run(
            "/usr/bin/time",
            [
                "-f", "%M", "-o", measured, try Program.docintakeBinary(), "transfer", "--from-data-dir", installation.directory,
                "--database", databaseURL, "--blob-store", location.description, "--s3-path-style", "--json",
            ], environment: environment)
        let peak = Int(try String(contentsOfFile: measured, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return (peak, TransferRun(status: result.status, stdout: result.stdout, stderr: result.stderr))
    }

    /// A server on this target, with `installation`'s pepper, for `body`.
    func serve(pepperFrom installation: EmbeddedInstallation, _ body: (ServerProcess) async throws -> Void) async throws {
        let server = try await ServerProcess(
            arguments: [
                "--database", databaseURL, "--blob-store", location.description, "--s3-path-style", "--pepper-file",
                installation.directory + "/pepper",
            ], environment: environment)
        defer { server.stop() }
        try await body(server)
    }

    /// The object of blob `sha256` in the bucket, if any.
    func object(_ sha256: String) async throws -> S3ObjectInfo? {
        let key = "moved/sha256/\(sha256.prefix(2))/\(sha256.dropFirst(2).prefix(2))/\(sha256)"
        return try await S3Client.withClient(bucket) { try await $0.headObject(key: key) }
    }

    func snapshot() async throws -> [String] { try await withMetadata { try await TransferSnapshot.of($0) } }

    /// The keys of the blobs in the bucket.
    func objects() async throws -> [String] {
        try await S3Client.withClient(bucket) { try await $0.listAllObjects(prefix: "moved/").map(\.key) }
    }
}

/// What one `docintake transfer` process printed.
struct TransferRun: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    func report() throws -> TransferReport {
        try JSONDecoder().decode(TransferReport.self, from: Data(stdout.utf8))
    }
}

/// An installation's state as read through the store's own API, one line per row, times to the
/// millisecond: equal for two stores exactly when they hold the same installation.
enum TransferSnapshot {
    static func of(_ store: any MetadataStore) async throws -> [String] {
        var lines: [String] = []
        for listed in try await store.applications(statuses: nil, after: nil, limit: 10_000) {
            let id = listed.record.id
            lines.append("position \(listed.position) " + (try json(listed.record)))
            lines += try await store.documents(applicationId: id).map(json)
            lines += try await store.auditLog(applicationId: id).map(json)
            lines += try await store.notices(applicationId: id).map(json)
        }
        lines += try await store.reviewers().map(json)
        lines += try await store.legalHolds().map(json)
        lines += try await store.deletionRecords(applicationId: nil).map(json)
        lines += try await store.corruptBlobs().map { "corrupt \($0.sha256) \(Int64(($0.detectedAt.timeIntervalSince1970 * 1000).rounded()))" }
        // Only blobs documents use: the transfer leaves the rows of unreferenced ones (garbage) behind.
        lines += try await store.blobUsage().filter { $0.references > 0 }.map { "blob " + (try json($0.blob)) + " refs \($0.references)" }
        if let run = try await store.lastJobRun(job: "retention") { lines.append(try json(run)) }
        return lines
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
