import Foundation
import Scanner
import Testing

/// Files the checks were not tuned on: `HeldOut/heldout.py` writes a few per attack class at test
/// time with Python's zlib, zipfile and struct (not our Swift builders, not the fixture tools), with
/// the verdict each must get.
@Suite("Held-out set")
struct HeldOutTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("HeldOut/heldout.py")

    @Test("every held-out file gets its verdict")
    func heldOut() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scanner-heldout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", Self.script.path, directory.path]
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "heldout.py failed")
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let expected = try JSONDecoder().decode([String: String].self, from: data)
        try #require(expected.count >= 25, "heldout.py wrote only \(expected.count) files")
        var classes = Set<String>()
        for (file, want) in expected.sorted(by: { $0.key < $1.key }) {
            let verdict = try DocumentScanner().scan(fileAt: directory.appendingPathComponent(file).path)
            let parts = want.split(separator: ":").map(String.init)
            classes.insert(parts[0])
            switch (parts[0], verdict.result) {
            case ("accept", .success(let type)):
                #expect(type.rawValue == parts[1], "\(file): \(verdict.detail)")
            case (_, .failure(let rejection)) where parts[0] != "accept":
                #expect(rejection.reason.rawValue == parts[0], "\(file): \(verdict.detail)")
                if parts.count > 1, parts[1] == "photo" { #expect(rejection.messageJa.contains("写真"), "\(file)") }
            default:
                Issue.record("\(file): wanted \(want), got \(verdict.detail)")
            }
        }
        #expect(classes.isSuperset(of: ["accept", "polyglot", "corrupt", "image_too_large", "zip_unsafe", "type_not_allowed"]))
    }
}
