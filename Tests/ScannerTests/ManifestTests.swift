import Foundation
import Scanner
import Testing

/// The real upload fixtures and the verdict each must get.
@Suite("Fixtures")
struct ManifestTests {
    struct Fixture: Decodable {
        var file: String
        var accepted: Bool
        var type: DocumentType?
        var reason: RejectionReason?
        var note: String?
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/uploads")
        .standardizedFileURL

    @Test("every fixture gets the verdict its manifest names")
    func everyFixture() async throws {
        let manifest = Self.directory.appendingPathComponent("manifest.json")
        let data = try #require(try? Data(contentsOf: manifest), "no manifest at \(manifest.path)")
        let fixtures = try JSONDecoder().decode([Fixture].self, from: data)
        try #require(!fixtures.isEmpty, "the manifest lists no fixtures")
        for fixture in fixtures {
            let verdict = try DocumentScanner().scan(fileAt: Self.directory.appendingPathComponent(fixture.file).path)
            let context = "\(fixture.file) (\(fixture.note ?? "")): got \(verdict.detail), magic \(verdict.magicMime ?? "-")"
            if fixture.accepted {
                #expect(verdict.accepted != nil && verdict.accepted == fixture.type, "\(context)")
            } else {
                #expect(verdict.reason != nil && verdict.reason == fixture.reason, "\(context)")
            }
        }
    }
}
