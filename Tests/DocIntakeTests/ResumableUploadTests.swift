import Crypto
import Foundation
import Storage
import Testing

@testable import DocIntake

/// tus 1.0 at /api/v1/uploads against a real server: every status by curl, and tuspy (a real tus
/// client) cut off mid-upload and resuming; an upload then named by an application form, once.
/// An upload's bytes stay on the server that received them (S3-resident sessions are not done
/// yet), so every request goes to one server's own port, also in a cluster run.
@Suite(.serialized) struct ResumableUploadTests {
    static let uploads = "/api/v1/uploads"
    static let tus = ["-H", "Tus-Resumable: 1.0.0"]

    static func metadata(slot: String, filename: String) -> String {
        "filename \(Data(filename.utf8).base64EncodedString()),slot \(Data(slot.utf8).base64EncodedString())"
    }

    /// Creates an upload of `length` bytes for `slot`; returns its path.
    static func create(
        _ server: TestServer, slot: String = "opening_notification", length: Int, filename: String = "開設届.pdf"
    ) async throws
        -> String
    {
        let created = try await Curl.run(
            tus + [
                "-X", "POST", "-H", "Upload-Length: \(length)", "-H", "Upload-Metadata: \(metadata(slot: slot, filename: filename))",
                server.directBaseURL + uploads,
            ])
        #expect(created.status == 201, "\(created.text)")
        let location = try #require(header("Location", in: created.headers))
        #expect(location.hasPrefix(uploads + "/"))
        return location
    }

    static func patch(_ server: TestServer, _ path: String, offset: Int, file: String, extra: [String] = []) async throws -> Curl.Result {
        try await Curl.run(
            tus + ["-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: \(offset)"] + extra
                + ["--data-binary", "@" + file, server.directBaseURL + path])
    }

    static func head(_ server: TestServer, _ path: String) async throws -> Curl.Result {
        try await Curl.run(tus + ["-I", server.directBaseURL + path])
    }

    static func header(_ name: String, in headers: String) -> String? {
        headers.split(separator: "\r\n").last { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    /// `bytes` in a temp file for curl's `--data-binary @file`.
    static func file(_ bytes: some Collection<UInt8>) throws -> String {
        let path = NSTemporaryDirectory() + "tus-part-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func bytes(_ fixture: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(fixture)))) }

    static func sha256(_ bytes: some Collection<UInt8>) -> String { UploadServiceTests.hex(bytes) }

    @Test func optionsAdvertisesTheProtocolAndAWrongVersionGets412() async throws {
        try await TestServer.with(maxFileSize: 5_000_000) { server in
            let options = try await Curl.run(["-X", "OPTIONS", server.directBaseURL + Self.uploads])
            #expect(options.status == 204)
            #expect(Self.header("Tus-Version", in: options.headers) == "1.0.0")
            #expect(Self.header("Tus-Resumable", in: options.headers) == "1.0.0")
            #expect(Self.header("Tus-Max-Size", in: options.headers) == "5000000")
            #expect(
                Set(Self.header("Tus-Extension", in: options.headers)?.split(separator: ",").map(String.init) ?? [])
                    == ["creation", "creation-with-upload", "termination", "checksum", "expiration"])
            #expect(Self.header("Tus-Checksum-Algorithm", in: options.headers) == "sha1,sha256")

            let old = try await Curl.run(
                ["-X", "POST", "-H", "Tus-Resumable: 0.2.2", "-H", "Upload-Length: 10", server.directBaseURL + Self.uploads])
            #expect(old.status == 412)
            #expect(old.json["code"] as? String == "unsupported_tus_version")
            #expect(Self.header("Tus-Version", in: old.headers) == "1.0.0")
            #expect(Self.header("Tus-Resumable", in: old.headers) == "1.0.0")
            let none = try await Curl.run(["-I", server.directBaseURL + Self.uploads + "/" + String(repeating: "a", count: 43)])
            #expect(none.status == 412)
        }
    }

    /// Creation: 413 over the cap before any byte, 400 for no slot or no length, 201 with an
    /// unguessable URL and its expiry; HEAD then shows where it stands.
    @Test func creationChecksTheLengthAndTheSlotAndHeadShowsTheOffset() async throws {
        try await TestServer.with(maxFileSize: 5_000_000) { server in
            let tooLarge = try await Curl.run(
                Self.tus + [
                    "-X", "POST", "-H", "Upload-Length: 5000001", "-H",
                    "Upload-Metadata: \(Self.metadata(slot: "opening_permit", filename: "a.pdf"))",
                    server.directBaseURL + Self.uploads,
                ])
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json["code"] as? String == "file_too_large")
            #expect(tooLarge.json["detail"] as? String != nil && tooLarge.json["detail_en"] as? String != nil)
            #expect(tooLarge.headers.lowercased().contains("content-type: application/problem+json"))

            let noSlot = try await Curl.run(Self.tus + ["-X", "POST", "-H", "Upload-Length: 10", server.directBaseURL + Self.uploads])
            #expect(noSlot.status == 400)
            #expect(noSlot.json["code"] as? String == "invalid_slot")
            let noLength = try await Curl.run(
                Self.tus + [
                    "-X", "POST", "-H", "Upload-Metadata: \(Self.metadata(slot: "opening_permit", filename: "a.pdf"))",
                    server.directBaseURL + Self.uploads,
                ])
            #expect(noLength.status == 400)
            #expect(noLength.json["code"] as? String == "invalid_upload_length")

            let path = try await Self.create(server, length: 1234)
            let id = String(path.dropFirst(Self.uploads.count + 1))
            #expect(id.count == 43, "an id of fewer than 256 random bits: \(id)")
            let other = try await Self.create(server, length: 1234)
            #expect(other != path)
            let head = try await Self.head(server, path)
            #expect(head.status == 200)
            #expect(Self.header("Upload-Offset", in: head.headers) == "0")
            #expect(Self.header("Upload-Length", in: head.headers) == "1234")
            #expect(Self.header("Cache-Control", in: head.headers) == "no-store")
            #expect(Self.header("Tus-Resumable", in: head.headers) == "1.0.0")
            let expires = try #require(Self.header("Upload-Expires", in: head.headers))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            let expiry = try #require(formatter.date(from: expires))
            #expect(abs(expiry.timeIntervalSinceNow - 24 * 3600) < 120, "Upload-Expires is not 24 h away: \(expires)")

            let unknown = try await Self.head(server, Self.uploads + "/" + String(repeating: "A", count: 43))
            #expect(unknown.status == 404)
            // The id is the upload's secret: the server's database holds only its hash.
            let stores = try await server.stores()
            #expect(try await stores.metadata.upload(idHash: id) == nil)
            #expect(try await stores.metadata.upload(idHash: AccessToken.hash(id))?.length == 1234)
        }
    }

    /// PATCH: the offset must match (409), the content type must be tus's (415), a checksum must
    /// match (460, nothing kept), an unknown algorithm is 400; creation-with-upload takes the first
    /// bytes; the last byte gets the verdict; DELETE ends an upload.
    @Test func patchChecksOffsetChecksumAndTypeAndTheLastByteGetsTheVerdict() async throws {
        try await TestServer.with { server in
            let bytes = try Self.bytes("tiny-reportlab.pdf")
            let half = bytes.count / 2
            let first = try Self.file(bytes[..<half])
            let rest = try Self.file(bytes[half...])
            defer { for path in [first, rest] { try? FileManager.default.removeItem(atPath: path) } }

            let created = try await Curl.run(
                Self.tus + [
                    "-X", "POST", "-H", "Upload-Length: \(bytes.count)",
                    "-H", "Upload-Metadata: \(Self.metadata(slot: "opening_notification", filename: "届.pdf"))",
                    "-H", "Content-Type: application/offset+octet-stream", "--data-binary", "@" + first, server.directBaseURL + Self.uploads,
                ])
            #expect(created.status == 201, "\(created.text)")
            #expect(Self.header("Upload-Offset", in: created.headers) == String(half))
            let path = try #require(Self.header("Location", in: created.headers))

            let wrongOffset = try await Self.patch(server, path, offset: 0, file: rest)
            #expect(wrongOffset.status == 409)
            #expect(wrongOffset.json["code"] as? String == "offset_mismatch")
            #expect(Self.header("Tus-Resumable", in: wrongOffset.headers) == "1.0.0")
            let wrongType = try await Curl.run(
                Self.tus + [
                    "-X", "PATCH", "-H", "Content-Type: application/octet-stream", "-H", "Upload-Offset: \(half)",
                    "--data-binary", "@" + rest, server.directBaseURL + path,
                ])
            #expect(wrongType.status == 415)
            #expect(wrongType.json["code"] as? String == "not_offset_octet_stream")
            let noOffset = try await Curl.run(
                Self.tus + [
                    "-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "--data-binary", "@" + rest,
                    server.directBaseURL + path,
                ])
            #expect(noOffset.status == 400)

            let spoiled = Data(Insecure.SHA1.hash(data: Array(bytes[half...]) + [0])).base64EncodedString()
            let mismatch = try await Self.patch(server, path, offset: half, file: rest, extra: ["-H", "Upload-Checksum: sha1 \(spoiled)"])
            #expect(mismatch.status == 460)
            #expect(mismatch.json["code"] as? String == "checksum_mismatch")
            #expect(Self.header("Upload-Offset", in: try await Self.head(server, path).headers) == String(half), "bytes of a mismatch were kept")
            let md5 = try await Self.patch(server, path, offset: half, file: rest, extra: ["-H", "Upload-Checksum: md5 AAAAAAAAAAAAAAAAAAAAAA=="])
            #expect(md5.status == 400)
            #expect(md5.json["code"] as? String == "unsupported_checksum")

            let right = Data(SHA256.hash(data: Array(bytes[half...]))).base64EncodedString()
            let done = try await Self.patch(server, path, offset: half, file: rest, extra: ["-H", "Upload-Checksum: sha256 \(right)"])
            #expect(done.status == 204, "\(done.text)")
            #expect(Self.header("Upload-Offset", in: done.headers) == String(bytes.count))
            let state = try await Curl.run(Self.tus + [server.directBaseURL + path])
            #expect(state.status == 200)
            #expect(state.json["state"] as? String == "accepted")
            #expect(state.json["detected_type"] as? String == "pdf")
            #expect(state.json["sha256"] as? String == Self.sha256(bytes))
            let again = try await Self.patch(server, path, offset: bytes.count, file: rest)
            #expect(again.status == 409)
            #expect(again.json["code"] as? String == "upload_complete")

            let deleted = try await Curl.run(Self.tus + ["-X", "DELETE", server.directBaseURL + path])
            #expect(deleted.status == 204)
            #expect(try await Self.head(server, path).status == 404)
            #expect(try server.tempFiles().isEmpty, "a terminated upload's bytes stayed")
        }
    }

    /// An executable named .pdf is refused at its first PATCH: 415, its bytes gone, and the upload
    /// answers with the same refusal from then on.
    @Test func aDisguisedFileIsRefusedAtItsFirstPatch() async throws {
        try await TestServer.with { server in
            let elf = Array(try Data(contentsOf: URL(fileURLWithPath: "/usr/bin/true")))
            let path = try await Self.create(server, slot: "opening_permit", length: elf.count, filename: "開設許可書.pdf")
            let first = try Self.file(elf.prefix(64 * 1024))
            defer { try? FileManager.default.removeItem(atPath: first) }
            let refused = try await Self.patch(server, path, offset: 0, file: first)
            #expect(refused.status == 415, "\(refused.text)")
            #expect(refused.json["code"] as? String == "type_not_allowed")
            #expect(refused.fieldCodes["opening_permit"] == "type_not_allowed")
            #expect((refused.json["detail"] as? String)?.contains("開設許可書の写し") == true)
            #expect(try server.tempFiles().isEmpty, "a refused upload's bytes stayed")
            let state = try await Curl.run(Self.tus + [server.directBaseURL + path])
            #expect(state.json["state"] as? String == "refused")
            #expect((state.json["refusal"] as? [String: Any])?["code"] as? String == "type_not_allowed")
            #expect(try await Self.patch(server, path, offset: 0, file: first).status == 415)
        }
    }

    /// tuspy uploads a real document in 2 KiB PATCHes, a PATCH is cut off mid-body, and a new
    /// client that knows only the upload's URL resumes from the server's offset. The upload then
    /// goes into an application instead of a file, and a second application naming it is refused.
    @Test func tuspyResumesACutUploadAndTheUploadIsUsedOnce() async throws {
        try await TestServer.with { server in
            let document = Fixtures.path("notice-libreoffice-ja.pdf")
            let state = NSTemporaryDirectory() + "tus-state-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: state) }
            let run = try await PythonScript.json(
                OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Support/tus_client.py").path,
                ["resume", server.directBaseURL, document, "opening_notification", state], as: [String: any Sendable].self)
            let size = try #require(run["size"] as? Int)
            let beforeCut = try #require(run["before_cut"] as? Int)
            let resumedFrom = try #require(run["resumed_from"] as? Int)
            #expect(beforeCut > 0 && beforeCut < size)
            #expect(resumedFrom > beforeCut, "the bytes that arrived before the cut were not kept: \(run)")
            #expect(resumedFrom <= beforeCut + (run["sent_in_cut"] as? Int ?? 0))
            #expect(run["final_offset"] as? Int == size)
            #expect(run["same_url"] as? Bool == true)
            let url = try #require(run["url"] as? String)
            let id = try #require(url.split(separator: "/").last.map(String.init))
            let status = try await Curl.run(Self.tus + [url])
            #expect(status.json["state"] as? String == "accepted")
            #expect(status.json["sha256"] as? String == (try SubmissionTests.sha256(ofFile: document)))

            let permit = Fixtures.path("scan-pillow.png")
            let submitted = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                    + [
                        "--form-string", "opening_notification_upload=\(id)", "-F", "opening_permit=@\(permit)",
                        server.directBaseURL + "/api/v1/applications",
                    ])
            #expect(submitted.status == 201, "\(submitted.text)")
            let documents = try #require(submitted.json["documents"] as? [[String: Any]])
            let notification = try #require(documents.first { $0["slot"] as? String == "opening_notification" })
            #expect(notification["sha256"] as? String == (try SubmissionTests.sha256(ofFile: document)))
            #expect(notification["filename"] as? String == "notice-libreoffice-ja.pdf")
            #expect(notification["type"] as? String == "pdf")
            #expect(try server.tempFiles().isEmpty, "the used upload's bytes stayed in staging")

            let twice = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                    + [
                        "--form-string", "opening_notification_upload=\(id)", "-F", "opening_permit=@\(permit)",
                        server.directBaseURL + "/api/v1/applications",
                    ])
            #expect(twice.status == 422)
            #expect(twice.json["code"] as? String == "upload_unusable")
            #expect(twice.fieldCodes["opening_notification_upload"] == "upload_unusable")
        }
    }

    /// After a return (差戻し), a document replacement names an upload instead of carrying the file:
    /// only an upload for that slot, and only once.
    @Test func aReturnedApplicationsDocumentIsReplacedByAnUpload() async throws {
        try await TestServer.with { server in
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let auth = ["-H", "Authorization: Bearer \(try #require(created.json["access_token"] as? String))"]
            let stores = try await server.stores()
            let reviewer = ReviewService(blobs: stores.blobs, metadata: stores.metadata)
            _ = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
            let sato = try await #require(try stores.metadata.reviewers().first)
            _ = try await reviewer.claim(id, by: sato)
            _ = try await reviewer.decide(id, decision: .return, reason: "開設許可書の写しが不鮮明です", by: sato)

            let bytes = try Self.bytes("scan-pillow.png")
            let whole = try Self.file(bytes)
            defer { try? FileManager.default.removeItem(atPath: whole) }
            let path = try await Self.create(server, slot: "opening_permit", length: bytes.count, filename: "許可書（再送）.png")
            #expect(try await Self.patch(server, path, offset: 0, file: whole).status == 204)
            let upload = String(path.dropFirst(Self.uploads.count + 1))
            let documents = server.directBaseURL + "/api/v1/applications/\(id)/documents/"

            let otherSlot = try await Curl.run(
                auth + ["-X", "PUT", "--form-string", "opening_notification_upload=\(upload)", documents + "opening_notification"])
            #expect(otherSlot.status == 422)
            #expect(otherSlot.json["code"] as? String == "upload_unusable")
            let replaced = try await Curl.run(auth + ["-X", "PUT", "--form-string", "opening_permit_upload=\(upload)", documents + "opening_permit"])
            #expect(replaced.status == 200, "\(replaced.text)")
            #expect(replaced.json["filename"] as? String == "許可書（再送）.png")
            #expect(replaced.json["sha256"] as? String == Self.sha256(bytes))
            #expect(try server.tempFiles().isEmpty, "the used upload's bytes stayed in staging")
            let again = try await Curl.run(auth + ["-X", "PUT", "--form-string", "opening_permit_upload=\(upload)", documents + "opening_permit"])
            #expect(again.status == 422)
            #expect(again.json["code"] as? String == "upload_unusable")
        }
    }

    /// tuspy with checksums on, every digest spoiled: 460, and nothing of the PATCH is kept.
    @Test func tuspyGets460ForAChecksumMismatch() async throws {
        try await TestServer.with { server in
            let run = try await PythonScript.json(
                OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Support/tus_client.py").path,
                ["bad-checksum", server.directBaseURL, Fixtures.path("tiny-reportlab.pdf"), "opening_permit"], as: [String: any Sendable].self)
            #expect(run["status"] as? Int == 460, "\(run)")
            #expect((run["body"] as? String)?.contains("checksum_mismatch") == true)
            let url = try #require(run["url"] as? String)
            #expect(Self.header("Upload-Offset", in: try await Curl.run(Self.tus + ["-I", url]).headers) == "0")
        }
    }

    /// An upload past its expiry answers 410 and cannot be used; the sweeper deletes it and its
    /// bytes and counts it; an upload of the other slot cannot be used for this one either.
    @Test func anExpiredUploadIsGoneAndCannotBeUsed() async throws {
        try await TestServer.with { server in
            let bytes = try Self.bytes("tiny-reportlab.pdf")
            let whole = try Self.file(bytes)
            defer { try? FileManager.default.removeItem(atPath: whole) }
            let path = try await Self.create(server, slot: "opening_permit", length: bytes.count, filename: "permit.pdf")
            #expect(try await Self.patch(server, path, offset: 0, file: whole).status == 204)
            let id = String(path.dropFirst(Self.uploads.count + 1))

            let wrongSlot = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                    + [
                        "--form-string", "opening_notification_upload=\(id)", "--form-string", "opening_permit_upload=\(id)",
                        server.directBaseURL + "/api/v1/applications",
                    ])
            #expect(wrongSlot.status == 422)
            #expect(wrongSlot.fieldCodes["opening_notification_upload"] == "upload_unusable")

            // Time passes: the session's expiry is moved into the past, as 24 hours would.
            let stores = try await server.stores()
            let idHash = AccessToken.hash(id)
            var session = try #require(try await stores.metadata.leaseUpload(idHash: idHash, holder: "test", now: Date(), until: Date() + 5))
            session.expiresAt = Date().addingTimeInterval(-1)
            #expect(try await stores.metadata.updateUpload(session, holder: "test", releasingLease: true))

            #expect(try await Self.head(server, path).status == 410)
            let patch = try await Self.patch(server, path, offset: bytes.count, file: whole)
            #expect(patch.status == 410)
            #expect(patch.json["code"] as? String == "upload_expired")
            let used = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                    + [
                        "--form-string", "opening_permit_upload=\(id)", "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                        server.directBaseURL + "/api/v1/applications",
                    ])
            #expect(used.status == 422)
            #expect(used.fieldCodes["opening_permit_upload"] == "upload_unusable")

            // The sweep the server runs every 10 minutes, run now over its stores and staging.
            let expiredBefore = try await Self.expiredCount(server)
            let bucket = stores.blobs as? S3BlobStore
            let sweeper = UploadService(
                metadata: stores.metadata, staging: try UploadStaging(directory: server.dataDirectory + "/tmp"),
                segments: bucket.map(S3UploadSegments.init(store:)))
            if let bucket {
                #expect(try await bucket.client.listAllObjects(prefix: bucket.prefix + "uploads/\(idHash)/").count == 1, "its one PATCH's segment")
            }
            try await sweeper.sweepExpired()
            #expect(try await stores.metadata.upload(idHash: idHash) == nil, "the expired upload was not swept")
            #expect(try server.tempFiles().isEmpty, "an expired upload's bytes stayed")
            if let bucket {
                #expect(try await bucket.client.listAllObjects(prefix: bucket.prefix + "uploads/").isEmpty, "an expired upload's segments stayed")
            }
            // The counter is the process's: other suites' sweeps may add to it meanwhile.
            #expect(try await Self.expiredCount(server) >= expiredBefore + 1, "the swept upload was not counted")
        }
    }

    /// One PATCH at a time, over HTTP: while a slow PATCH holds the upload, another gets 423
    /// `upload_locked` with `Retry-After`; the slow one, cut off, keeps what arrived, and the client
    /// resumes from the offset HEAD reports.
    @Test func aPatchWhileAnotherIsRunningGets423AndTheCutOneKeepsItsBytes() async throws {
        try await TestServer.with { server in
            let bytes = try Self.bytes("notice-libreoffice-ja.pdf")
            let whole = try Self.file(bytes)
            let start = try Self.file(bytes[..<100])
            defer { for path in [whole, start] { try? FileManager.default.removeItem(atPath: path) } }
            let path = try await Self.create(server, length: bytes.count)
            let staged = server.dataDirectory + "/tmp/resumable-" + AccessToken.hash(String(path.split(separator: "/").last!))
            // 4 KB/s for 3 s: about 12 KB of the file arrive, then curl gives up (a dropped line).
            async let slow = Self.patch(server, path, offset: 0, file: whole, extra: ["--limit-rate", "4k", "--max-time", "3"])
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, (Self.fileSize(staged) ?? 0) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect((Self.fileSize(staged) ?? 0) > 0, "the slow PATCH's first bytes never arrived")

            let locked = try await Self.patch(server, path, offset: 0, file: start)
            #expect(locked.status == 423, "\(locked.text)")
            #expect(locked.json["code"] as? String == "upload_locked")
            #expect(Int(Self.header("Retry-After", in: locked.headers) ?? "") ?? 0 > 0)
            #expect(locked.json["detail"] as? String != nil && locked.json["detail_en"] as? String != nil)

            let cut = try await slow
            #expect(cut.status == 0, "the slow PATCH was meant to be cut off: \(cut.status)")
            var offset = 0
            while ContinuousClock.now < deadline, offset == 0 {
                offset = Int(Self.header("Upload-Offset", in: try await Self.head(server, path).headers) ?? "") ?? 0
                if offset == 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(offset > 0 && offset < bytes.count, "what arrived before the cut is kept: \(offset)")
            let rest = try Self.file(bytes[offset...])
            defer { try? FileManager.default.removeItem(atPath: rest) }
            #expect(try await Self.patch(server, path, offset: offset, file: rest).status == 204)
            let state = try await Curl.run(Self.tus + [server.directBaseURL + path])
            #expect(state.json["state"] as? String == "accepted" && state.json["sha256"] as? String == Self.sha256(bytes))
        }
    }

    /// The server sweeps expired uploads by itself (every 10 minutes, or at the expiry when that is
    /// shorter): with a 2 s expiry, an abandoned upload's row and bytes go within seconds, counted.
    /// The upload is made after the sweep that follows start-up (at most 5 s), so a later one takes it.
    @Test func theServerSweepsExpiredUploadsByItself() async throws {
        try await TestServer.with(uploadLifetime: .seconds(2)) { server in
            try await Task.sleep(for: .seconds(6))
            let expiredBefore = try await Self.expiredCount(server)
            let bytes = try Self.bytes("tiny-reportlab.pdf")
            let part = try Self.file(bytes[..<500])
            defer { try? FileManager.default.removeItem(atPath: part) }
            let path = try await Self.create(server, length: bytes.count)
            #expect(try await Self.patch(server, path, offset: 0, file: part).status == 204)
            let idHash = AccessToken.hash(String(path.split(separator: "/").last!))
            let stores = try await server.stores()
            #expect(try await stores.metadata.upload(idHash: idHash) != nil)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, try await stores.metadata.upload(idHash: idHash) != nil {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await stores.metadata.upload(idHash: idHash) == nil, "the abandoned upload was not swept")
            #expect(Self.fileSize(server.dataDirectory + "/tmp/resumable-" + idHash) == nil, "its bytes stayed")
            #expect(try await Self.expiredCount(server) >= expiredBefore + 1)
            #expect(try await Self.head(server, path).status == 404)
        }
    }

    /// A file's size, nil when there is none.
    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    static func expiredCount(_ server: TestServer) async throws -> Int {
        let metrics = try await Curl.run([server.metricsURL])
        let line = metrics.text.split(separator: "\n").first { $0.hasPrefix(#"docintake_uploads_total{event="expired"} "#) }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
    }

    /// The id is a secret: the request log prints the path with the id masked.
    @Test func theRequestLogMasksTheUploadId() {
        let id = String(repeating: "x", count: 43)
        #expect(RequestLogMiddleware.loggedPath("/api/v1/uploads/\(id)") == "/api/v1/uploads/****")
        #expect(RequestLogMiddleware.loggedPath("/api/v1/uploads/\(id)/more") == "/api/v1/uploads/****/more")
        #expect(RequestLogMiddleware.loggedPath("/api/v1/uploads") == "/api/v1/uploads")
        #expect(RequestLogMiddleware.loggedPath("/api/v1/applications/abc") == "/api/v1/applications/abc")
    }
}
