import Foundation
import Testing

@testable import DocIntake

/// How the endpoint behaves while bytes are still arriving.
@Suite(.serialized) struct StreamingTests {
    @Test func aClientSendingOneByteChunksIsServed() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.workplaceClinic
            fields["application_kind"] = "change"
            let encoded = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
            let result = try await RawClient.run(["one-byte-chunks", "\(server.port)", encoded, Fixtures.path("tiny-reportlab.pdf")])
            #expect(result["status"] as? Int == 201, "\(result)")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aClientThatDisconnectsMidUploadLeavesNothingBehind() async throws {
        try await TestServer.with { server in
            // The client closes only once the upload's temp file exists, so that its removal is
            // what is checked, not a file that was never made. It watches the first server's staging,
            // so it talks to that server (in a cluster, nginx would send it to either).
            let result = try await RawClient.run([
                "disconnect", "\(server.directPort)", "\(4 * 1024 * 1024)", server.dataDirectory + "/tmp",
            ])
            #expect((result["sent"] as? Int ?? 0) >= 4 * 1024 * 1024)
            #expect(result["staged"] as? Int == 1, "the upload was never staged before the disconnect: \(result)")
            // The server notices the closed connection asynchronously.
            var leftovers = try server.tempFiles()
            let deadline = ContinuousClock.now + .seconds(10)
            while !leftovers.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                leftovers = try server.tempFiles()
            }
            #expect(leftovers.isEmpty)
            #expect(try await server.stores().metadata.applications(statuses: nil, after: nil, limit: 10).isEmpty)
        }
    }

    @Test func aHostileClientIgnoringTheRefusalIsCutOff() async throws {
        try await TestServer.with { server in
            let declared = 150 * 1024 * 1024
            let result = try await RawClient.run(["hostile", "\(server.directPort)", "\(declared)"])
            #expect(result["status"] as? Int == 415, "the client still gets the refusal: \(result)")
            let sent = result["sent"] as? Int ?? declared
            #expect(sent < 16 * 1024 * 1024, "the server kept reading \(sent) bytes after refusing")
        }
    }

    @Test func twoConcurrentApplicationsWithTheSameBytesShareOneBlob() async throws {
        try await TestServer.with { server in
            async let first = server.submitWorkplaceClinic()
            async let second = server.submitWorkplaceClinic()
            let results = try await [first, second]
            #expect(results.map(\.status) == [201, 201])
            let stores = try await server.stores()
            #expect(try await stores.blobs.list().count == 2, "two documents each, the same bytes: two blobs in all")
            var documentRows = 0
            for result in results {
                await documentRows += try stores.metadata.documents(applicationId: result.json["id"] as! String).count
            }
            #expect(documentRows == 4)
            #expect(try server.tempFiles().isEmpty)
        }
    }
}
