import Foundation
import S3TestSupport
import Storage
import Testing

@testable import DocIntake

/// The S3 server stops answering (SIGSTOP: moto keeps its objects in memory, so it cannot be
/// restarted) while the server takes uploads and serves downloads: each request fails within the
/// client's bounded time with 503 `storage_unavailable` and `Retry-After`, nothing half-done is
/// committed, and once the store answers again (SIGCONT) the same server serves as before.
@Suite struct ObjectStoreOutageTests {
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
}
