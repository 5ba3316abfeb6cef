import Foundation
import Testing

@testable import Storage

@Suite struct ApplicationListingTests {
    @Test(arguments: Backend.allCases) func pagingVisitsEveryApplicationOnceEvenWithinTheSameMillisecond(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let sameInstant = Date(timeIntervalSince1970: 1_795_000_000.123)
        var ids: [String] = []
        for index in 0..<7 {
            var app = SQLiteMetadataStoreTests.application(id: "app-\(index)", receipt: "20261126-00000\(index)")
            app.createdAt = sameInstant
            ids.append(app.id)
            try await store.insertApplication(
                app, documents: [], audit: AuditEntry(applicationId: app.id, at: sameInstant, actor: "a", action: "submit"), notice: nil,
                releasing: nil
            )
        }
        var seen: [String] = []
        var after: Int64?
        while true {
            let page = try await store.applications(statuses: [.submitted], after: after, limit: 2)
            if page.isEmpty { break }
            seen += page.map(\.record.id)
            after = page.last?.position
        }
        #expect(seen == ids)
        #expect(try await store.applications(statuses: [.approved], after: nil, limit: 10).isEmpty)
    }
}
