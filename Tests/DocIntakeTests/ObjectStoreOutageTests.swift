import Crypto
import Foundation
import S3TestSupport
import Storage
import Testing

@testable import DocIntake

/// The S3 server stops answering (SIGSTOP: moto keeps its objects in memory, so it cannot be
/// restarted) while the server takes uploads and serves downloads: each request fails within the
/// client's bounded time with 503 `storage_unavailable` and `Retry-After`, nothing half-done is
/// committed, and once the store answers again (SIGCONT) the same server serves as before.
/// It waits out the client's timeouts on moto servers of its own, so it runs apart from the crowded
/// full run, as CI's outage step (`DOCINTAKE_OUTAGE_TESTS=1`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOCINTAKE_OUTAGE_TESTS"] == "1"))
struct ObjectStoreOutageTests {
    @Test func aStoppedObjectStoreIs503NothingHalfDoneAndServiceResumesByItself() async throws {
        let moto = try await MotoServer.launch()
        do {
            let bucket = try await moto.freshBucket().bucket
            let location = try BlobStoreLocation("s3://\(bucket)/docintake", pathStyle: true)
            try await TestServer.with(blobStore: (location, moto.environment)) { server in
                let stored = try await server.submitWorkplaceClinic()
                #expect(stored.status == 201, "\(stored.text)")
                let id = try #require(stored.json["id"] as? String)
                let stores = try await server.stores()
                let reviewer = try await ReviewerAdmin(metadata: stores.metadata).add(name: "outage")
                let download = [
                    "-H", "Authorization: Bearer \(reviewer)", server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_permit",
                ]
                let before = try await Curl.run(download)
                #expect(before.status == 200)

                try await moto.pause()
                let refused = try await server.submitWorkplaceClinic()
                #expect(refused.status == 503, "\(refused.text)")
                #expect(refused.json["code"] as? String == "storage_unavailable")
                #expect(refused.headers.lowercased().contains("retry-after: 30"))
                #expect(try await StoreAudit.applicationCount(stores.metadata) == 1, "no application without its documents")
                let unready = try await Curl.run([server.baseURL + "/readyz"])
                #expect(unready.status == 503)
                #expect((unready.json["checks"] as? [String: String])?["blob_store"] == "unavailable")
                let unavailable = try await Curl.run(download)
                #expect(unavailable.status == 503, "\(unavailable.text)")
                #expect(unavailable.json["code"] as? String == "storage_unavailable")

                try await moto.resume()
                #expect(try await Curl.run([server.baseURL + "/readyz"]).status == 200)
                let after = try await Curl.run(download)
                #expect(after.status == 200)
                #expect(after.body == before.body)
                let again = try await server.submitWorkplaceClinic()
                #expect(again.status == 201, "\(again.text)")
                #expect(try await StoreAudit.applicationCount(stores.metadata) == 2)
            }
        } catch {
            await moto.shutdown()
            throw error
        }
        await moto.shutdown()
    }

    /// The store stops in the middle: of an upload whose parts are already going to S3, and of a
    /// download that is streaming. The upload is refused once its last byte is in (nothing is
    /// committed); the download is cut off before its last byte, as for a corrupt blob, and nothing
    /// is marked. After SIGCONT both go through.
    @Test func aStoreThatStopsMidUploadAndMidDownloadLosesNothing() async throws {
        let moto = try await MotoServer.launch()
        let work = NSTemporaryDirectory() + "docintake-s3-outage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            let bucket = try await moto.freshBucket().bucket
            let location = try BlobStoreLocation("s3://\(bucket)/docintake", pathStyle: true)
            try await TestServer.with(blobStore: (location, moto.environment)) { server in
                // 24 MiB at 6 MiB/s: several parts are sent while it still arrives.
                let big = try StoreAudit.pdf(in: work, tag: "outage-mid-upload", size: 24 << 20)
                let upload =
                    ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                        "--limit-rate", "6M", "-F", "opening_notification=@\(big.path)",
                        "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", server.baseURL + "/api/v1/applications",
                    ]
                let stores = try await server.stores()  // opened now: opening checks the bucket
                async let cut = Curl.run(upload)
                try await Task.sleep(for: .seconds(2))
                try await moto.pause()
                let refused = try await cut
                #expect(refused.status == 503, "\(refused.text)")
                #expect(refused.json["code"] as? String == "storage_unavailable")
                #expect(try await StoreAudit.applicationCount(stores.metadata) == 0)
                try await moto.resume()

                let stored = try await Curl.run(upload)
                #expect(stored.status == 201, "\(stored.text)")
                let id = try #require(stored.json["id"] as? String)
                let reviewer = try await ReviewerAdmin(metadata: stores.metadata).add(name: "outage")
                let download = [
                    "--limit-rate", "6M", "-H", "Authorization: Bearer \(reviewer)",
                    server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_notification",
                ]
                async let streaming = Curl.run(download)
                try await Task.sleep(for: .milliseconds(300))  // early: a later pause once found the whole object already read
                try await moto.pause()
                let broken = try await streaming
                #expect(broken.body.count < 24 << 20, "a transfer the store stopped under cannot complete")
                try await moto.resume()
                #expect(try await stores.metadata.corruptBlobs().isEmpty, "an outage is not corruption")
                let whole = try await Curl.run(Array(download.dropFirst(2)))
                #expect(whole.status == 200)
                #expect(StoreAudit.hex(SHA256.hash(data: whole.body)) == big.sha256)
            }
        } catch {
            await moto.shutdown()
            throw error
        }
        await moto.shutdown()
    }

    /// The store is already down when a large upload starts: its first part cannot be sent, and the
    /// upload is refused with 503 as soon as the client's retries give up, long before its last byte,
    /// rather than taking the whole document first.
    @Test func anUploadWhosePartsCannotBeSentEndsBeforeItsLastByte() async throws {
        let moto = try await MotoServer.launch()
        do {
            let bucket = try await moto.freshBucket().bucket
            let location = try BlobStoreLocation("s3://\(bucket)/docintake", pathStyle: true)
            try await TestServer.with(blobStore: (location, moto.environment)) { server in
                try await moto.pause()
                let boundary = "----docintake-store-down"
                let declared = 96 << 20
                let start =
                    Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"institution_kind\"\r\n\r\nworkplace_clinic\r\n".utf8)
                    + Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"opening_notification\"; filename=\"a.pdf\"\r\n".utf8)
                    + Data("Content-Type: application/pdf\r\n\r\n%PDF-1.7\n".utf8)
                let head =
                    "POST /api/v1/applications HTTP/1.1\r\nHost: intake.example.jp\r\nContent-Length: \(declared)\r\n"
                    + "Content-Type: multipart/form-data; boundary=\(boundary)\r\n\r\n"
                // About 1.6 MB/s: the whole body would take a minute.
                let (status, sent) = try await RawHTTP.pacedUpload(port: server.port, head: head, start: start, giveUpAfter: declared)
                try await moto.resume()
                #expect(status == 503, "the upload was answered \(status) after \(sent) bytes")
                #expect(sent < declared / 2, "\(sent) of \(declared) bytes were taken before the refusal")
                #expect(try await StoreAudit.applicationCount(try await server.stores().metadata) == 0)
                #expect(try server.tempFiles().isEmpty)
            }
        } catch {
            await moto.shutdown()
            throw error
        }
        await moto.shutdown()
    }
}
