import Foundation
import Storage
import Synchronization
import Testing

@testable import DocIntake

/// A full disk (ENOSPC) or exhausted quota (EDQUOT) wherever it can surface: the upload gets a
/// 507 `storage_full` problem, nothing of it stays behind, what was stored before still
/// verifies, downloads keep working, and uploads succeed again once there is space.
@Suite(.serialized) struct DiskFullTests {
    /// The fault to inject, switchable while the server runs.
    final class FaultSwitch: Sendable {
        private let rule = Mutex<(@Sendable (FileSystemFaults.Operation) -> Int32?)?>(nil)

        var faults: FileSystemFaults { FileSystemFaults { [self] operation in rule.withLock { $0 }?(operation) } }

        func set(_ rule: @escaping @Sendable (FileSystemFaults.Operation) -> Int32?) { self.rule.withLock { $0 = rule } }
        func clear() { rule.withLock { $0 = nil } }
    }

    /// Where an injected failure hits.
    enum Site: String, CaseIterable, Sendable {
        case creatingTheTempFile, writingMidStream, sealingFsync, makingTheBlobDirectory, renamingEDQUOT,
            secondRenameAfterTheFirstWasPlaced, directoryFsyncAfterRename

        /// The rule: which operation fails, counting occurrences where the site is the n-th one.
        func rule() -> @Sendable (FileSystemFaults.Operation) -> Int32? {
            let seen = Occurrences()
            let site = self
            return { operation in
                switch (site, operation) {
                case (.creatingTheTempFile, .createTemporaryFile): return ENOSPC
                case (.writingMidStream, .write(let offset, let count)) where offset + Int64(count) > 256 * 1024: return ENOSPC
                case (.sealingFsync, .fsync):
                    return seen.next() == 1 ? ENOSPC : nil
                case (.makingTheBlobDirectory, .makeDirectory): return ENOSPC
                case (.renamingEDQUOT, .rename): return EDQUOT
                case (.secondRenameAfterTheFirstWasPlaced, .rename):
                    return seen.next() == 2 ? ENOSPC : nil
                case (.directoryFsyncAfterRename, .fsync):
                    // Two seals, then the directory fsync after the first placement.
                    return seen.next() == 3 ? ENOSPC : nil
                default: return nil
                }
            }
        }
    }

    /// Counts the operations a rule has seen, to fail the n-th one.
    final class Occurrences: Sendable {
        private let count = Mutex(0)
        func next() -> Int {
            count.withLock {
                $0 += 1
                return $0
            }
        }
    }

    static let applications = "/api/v1/applications"

    @Test(arguments: Site.allCases)
    func aFullDiskAnywhereIs507AndLeavesNothingBehind(_ site: Site) async throws {
        let directory = NSTemporaryDirectory() + "docintake-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let faults = FaultSwitch()
        try await TestServer.with(blobFaults: faults.faults) { server in
            let stores = try await server.stores()
            let reviewer = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
            let earlier = try await server.submitWorkplaceClinic()
            #expect(earlier.status == 201, "\(earlier.text)")
            let earlierId = try #require(earlier.json["id"] as? String)
            let earlierDigests = try #require(earlier.json["documents"] as? [[String: Any]])
                .reduce(into: [String: String]()) { $0[$1["slot"] as! String] = $1["sha256"] as? String }
            let blobsBefore = try await StoreAudit.blobFiles(server.dataDirectory)

            // Two new documents, 1 MiB each, so that the failure can land in the middle of the stream.
            let notification = try StoreAudit.pdf(in: directory, tag: "notification-\(UUID())", size: 1 << 20)
            let permit = try StoreAudit.pdf(in: directory, tag: "permit-\(UUID())", size: 1 << 20)
            let upload = {
                try await Curl.run(
                    ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                        "-F", "opening_notification=@\(notification.path)", "-F", "opening_permit=@\(permit.path)",
                        server.baseURL + Self.applications,
                    ])
            }

            faults.set(site.rule())
            let refused = try await upload()
            #expect(refused.status == 507, "\(site): \(refused.text)")
            #expect(refused.json["code"] as? String == "storage_full")
            #expect((refused.json["detail"] as? String)?.contains("時間をおいて") == true)
            #expect((refused.json["detail_en"] as? String)?.contains("try again later") == true)
            #expect(refused.headers.lowercased().contains("content-type: application/problem+json"))
            if site == .writingMidStream || site == .creatingTheTempFile {
                // Refused while the body was still arriving: answered at once, the rest unread.
                #expect(refused.headers.lowercased().contains("connection: close"), "\(refused.headers)")
            }
            let left = try server.tempFiles()
            #expect(left.isEmpty, "\(site): temp files left: \(left)")
            #expect(try await StoreAudit.blobFiles(server.dataDirectory) == blobsBefore, "\(site): a blob of the refused upload stayed")
            #expect(try await StoreAudit.applicationCount(stores.metadata) == 1)

            // Reading is unaffected while writes still fail.
            for (slot, sha) in earlierDigests {
                let served = try await StoreAudit.downloadedSHA256(baseURL: server.baseURL, reviewerToken: reviewer, id: earlierId, slot: slot)
                #expect(served == sha, "\(site): \(slot) of the earlier application")
            }

            faults.clear()
            let retried = try await upload()
            #expect(retried.status == 201, "\(site): after space is freed: \(retried.text)")
            let stored = try #require(retried.json["documents"] as? [[String: Any]]).compactMap { $0["sha256"] as? String }
            #expect(Set(stored) == [notification.sha256, permit.sha256])
            #expect(try await StoreAudit.blobFiles(server.dataDirectory) == blobsBefore.union(stored))
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aFullDiskWhileReplacingADocumentIs507AndKeepsTheCurrentOne() async throws {
        let directory = NSTemporaryDirectory() + "docintake-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let faults = FaultSwitch()
        try await TestServer.with(blobFaults: faults.faults) { server in
            var fields = ApplicationFields.workplaceClinic
            fields["application_kind"] = "change"
            let created = try await Curl.run(
                ApplicationFields.curlArguments(fields) + [
                    "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))", server.baseURL + Self.applications,
                ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let token = try #require(created.json["access_token"] as? String)
            let replacement = try StoreAudit.pdf(in: directory, tag: "replacement-\(UUID())", size: 512 * 1024)
            let put = {
                try await Curl.run([
                    "-X", "PUT", "-H", "Authorization: Bearer \(token)",
                    "-F", "opening_notification=@\(replacement.path)",
                    server.baseURL + Self.applications + "/\(id)/documents/opening_notification",
                ])
            }
            // The rename succeeds, the directory fsync after it fails: the transaction rolls
            // back and the blob it had placed is removed again.
            let blobsBefore = try await StoreAudit.blobFiles(server.dataDirectory)
            let fsyncs = Occurrences()
            faults.set { $0 == .fsync && fsyncs.next() == 2 ? ENOSPC : nil }
            let refused = try await put()
            #expect(refused.status == 507, "\(refused.text)")
            #expect(refused.json["code"] as? String == "storage_full")
            let documents = try await server.stores().metadata.documents(applicationId: id)
            #expect(documents.count == 1, "the refused replacement must not supersede the current document")
            #expect(documents.first?.supersededAt == nil)
            #expect(try server.tempFiles().isEmpty)
            #expect(try await StoreAudit.blobFiles(server.dataDirectory) == blobsBefore)
            faults.clear()
            let accepted = try await put()
            #expect(accepted.status == 200, "\(accepted.text)")
            #expect(accepted.json["sha256"] as? String == replacement.sha256)
        }
    }

    /// SQLite reporting SQLITE_FULL at COMMIT, through the metadata store's seam, so that this
    /// runs wherever the suite does: an upload (its blobs already placed) and an application
    /// without documents are 507 and leave nothing behind, and a download is refused with the
    /// same 507 because its audit entry cannot be written (domain rule: every download is audited).
    @Test func aFullDatabaseIs507AndADownloadThatCannotBeAuditedIsRefused() async throws {
        let full = Mutex(false)
        let faults = MetadataFaults { full.withLock { $0 } ? MetadataFaults.sqliteFull : nil }
        try await TestServer.with(metadataFaults: faults) { server in
            let stores = try await server.stores()
            let reviewer = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
            let earlier = try await server.submitWorkplaceClinic()
            #expect(earlier.status == 201, "\(earlier.text)")
            let earlierId = try #require(earlier.json["id"] as? String)
            let blobsBefore = try await StoreAudit.blobFiles(server.dataDirectory)
            let auditBefore = try await stores.metadata.auditLog(applicationId: earlierId).count
            let directory = NSTemporaryDirectory() + "docintake-full-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let fresh = try StoreAudit.pdf(in: directory, tag: "fresh-\(UUID())", size: 64 * 1024)
            let upload = {
                try await Curl.run(
                    ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                        "-F", "opening_notification=@\(fresh.path)", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                        server.baseURL + Self.applications,
                    ])
            }
            let download = {
                try await Curl.run([
                    "-H", "Authorization: Bearer \(reviewer)",
                    "\(server.baseURL)/api/v1/review/applications/\(earlierId)/documents/opening_permit",
                ])
            }

            full.withLock { $0 = true }
            let refused = try await upload()
            #expect(refused.status == 507, "\(refused.text)")
            #expect(refused.json["code"] as? String == "storage_full")
            #expect((refused.json["detail_en"] as? String)?.contains("try again later") == true)
            #expect(try await StoreAudit.blobFiles(server.dataDirectory) == blobsBefore, "the rolled-back upload's blob stayed")
            #expect(try server.tempFiles().isEmpty)
            let medical = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + Self.applications])
            #expect(medical.status == 507, "\(medical.text)")
            #expect(medical.json["code"] as? String == "storage_full")
            #expect(try await StoreAudit.applicationCount(stores.metadata) == 1)
            let unaudited = try await download()
            #expect(unaudited.status == 507, "\(unaudited.text)")
            #expect(unaudited.json["code"] as? String == "storage_full")
            #expect(try await stores.metadata.auditLog(applicationId: earlierId).count == auditBefore)

            full.withLock { $0 = false }
            let served = try await download()
            #expect(served.status == 200, "\(served.text)")
            #expect(try await stores.metadata.auditLog(applicationId: earlierId).count == auditBefore + 1)
            let retried = try await upload()
            #expect(retried.status == 201, "\(retried.text)")
            #expect(try await StoreAudit.blobFiles(server.dataDirectory).contains(fresh.sha256))
        }
    }

    /// Whether CI demands the real small file system (`DOCINTAKE_REQUIRE_TMPFS=1`, set by `.ci/run`):
    /// then a refused mount fails the test instead of skipping it.
    static let tmpfsRequired = ProcessInfo.processInfo.environment["DOCINTAKE_REQUIRE_TMPFS"] == "1"

    /// Mounts a tmpfs and unmounts it again, before the test is scheduled: where that is refused
    /// (not root, no CAP_SYS_ADMIN) the test shows as skipped, not as passed.
    static func tmpfsMountable() async -> Bool {
        let probe = NSTemporaryDirectory() + "docintake-tmpfs-probe-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard let mount = try? await Program.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]),
            mount.status == 0
        else { return false }
        _ = try? await Program.run("/bin/umount", ["-l", probe])
        return true
    }

    /// The real thing: the data directory on an 8 MiB tmpfs, filled up by another file. Runs where
    /// `mount` is permitted (root, CAP_SYS_ADMIN), and always when CI requires it.
    @Test(
        .enabled("mount -t tmpfs is permitted, or DOCINTAKE_REQUIRE_TMPFS=1 requires it") {
            tmpfsRequired ? true : await tmpfsMountable()
        })
    func aRealFullFileSystemIs507UntilSpaceIsFreed() async throws {
        let mountPoint = NSTemporaryDirectory() + "docintake-tmpfs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mount = try await Program.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mountPoint])
        try #require(
            mount.status == 0,
            """
            mount -t tmpfs was refused (status \(mount.status)): \(mount.stderr.trimmingCharacters(in: .whitespacesAndNewlines)); \
            DOCINTAKE_REQUIRE_TMPFS=1 requires the real small-filesystem test (run as root, or unset it to skip)
            """)
        do {
            try await Self.fillAndFree(mountPoint)
        } catch {
            _ = try? await Program.run("/bin/umount", ["-l", mountPoint])
            throw error
        }
        let umount = try await Program.run("/bin/umount", ["-l", mountPoint])
        #expect(umount.status == 0, "\(umount.stderr)")
    }

    static func fillAndFree(_ mountPoint: String) async throws {
        let documents = NSTemporaryDirectory() + "docintake-full-docs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: documents, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: documents) }
        let data = mountPoint + "/data"
        let filler = mountPoint + "/filler"

        try await TestServer.with(dataDirectory: data) { server in
            let stores = try await server.stores()
            let reviewer = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
            let earlier = try await server.submitWorkplaceClinic()
            #expect(earlier.status == 201, "\(earlier.text)")
            let earlierId = try #require(earlier.json["id"] as? String)
            let earlierDigests = try #require(earlier.json["documents"] as? [[String: Any]])
                .reduce(into: [String: String]()) { $0[$1["slot"] as! String] = $1["sha256"] as? String }
            let blobsBefore = try await StoreAudit.blobFiles(data)
            let big = try StoreAudit.pdf(in: documents, tag: "big-\(UUID())", size: 3 << 20)
            let upload = {
                try await Curl.run(
                    ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                        "-F", "opening_notification=@\(big.path)", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                        server.baseURL + Self.applications,
                    ])
            }

            // About 1 MiB left: the 3 MiB document runs out of space mid-stream.
            let free = try Self.fill(filler, leaving: 1 << 20, on: mountPoint)
            let midStream = try await upload()
            #expect(midStream.status == 507, "with \(free) bytes free: \(midStream.text)")
            #expect(midStream.json["code"] as? String == "storage_full")
            #expect(try server.tempFiles().isEmpty)
            #expect(try await StoreAudit.blobFiles(data) == blobsBefore)
            #expect(try await StoreAudit.applicationCount(stores.metadata) == 1)
            for (slot, sha) in earlierDigests {
                let served = try await StoreAudit.downloadedSHA256(baseURL: server.baseURL, reviewerToken: reviewer, id: earlierId, slot: slot)
                #expect(served == sha, "\(slot) of the earlier application, with the blob side full")
            }

            // Nothing left at all: an application without documents needs only SQLite, which
            // reports SQLITE_FULL when its write-ahead log cannot grow.
            _ = try Self.fill(filler, leaving: 0, on: mountPoint)
            let medical = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + Self.applications])
            #expect(medical.status == 507, "SQLite on a full disk: \(medical.text)")
            #expect(medical.json["code"] as? String == "storage_full")
            #expect(try await StoreAudit.applicationCount(stores.metadata) == 1)

            // Every download is audited (domain rule), so with SQLite unable to write, a download
            // is refused with the same clear 507 rather than served unrecorded.
            let unaudited = try await Curl.run([
                "-H", "Authorization: Bearer \(reviewer)",
                "\(server.baseURL)/api/v1/review/applications/\(earlierId)/documents/opening_permit",
            ])
            #expect(unaudited.status == 507, "\(unaudited.text)")
            #expect(unaudited.json["code"] as? String == "storage_full")

            try FileManager.default.removeItem(atPath: filler)
            for (slot, sha) in earlierDigests {
                let served = try await StoreAudit.downloadedSHA256(baseURL: server.baseURL, reviewerToken: reviewer, id: earlierId, slot: slot)
                #expect(served == sha, "\(slot) of the earlier application, once space is freed")
            }
            let retried = try await upload()
            #expect(retried.status == 201, "once space is freed: \(retried.text)")
            let again = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + Self.applications])
            #expect(again.status == 201, "\(again.text)")
            #expect(try server.tempFiles().isEmpty)
        }
        #expect(try await StoreAudit.integrityCheck(data) == "ok")
        let scrub = try await Program.run(try Program.docintakeBinary(), ["scrub", "--data-dir", data, "--grace-hours", "0"])
        #expect(scrub.status == 0, "scrub after the full disk: \(scrub.stdout)\(scrub.stderr)")
    }

    /// Grows `path` until the file system holding it has at most `leaving` bytes free (0: until
    /// ENOSPC). Returns the bytes left free.
    static func fill(_ path: String, leaving: Int64, on mountPoint: String) throws -> Int64 {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let block = Data(repeating: 0xA5, count: 64 * 1024)
        while true {
            let available = try Self.available(mountPoint)
            if available <= leaving { return available }
            let size = leaving == 0 ? block.count : Int(min(Int64(block.count), available - leaving))
            do {
                try handle.write(contentsOf: block.prefix(size))
            } catch {
                return try Self.available(mountPoint)  // ENOSPC: full
            }
        }
    }

    static func available(_ mountPoint: String) throws -> Int64 {
        var st = statvfs()
        guard statvfs(mountPoint, &st) == 0 else { throw TestFailure("statvfs \(mountPoint) failed") }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }
}
