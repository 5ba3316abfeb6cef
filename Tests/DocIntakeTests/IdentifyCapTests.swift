import Foundation
import Testing

/// `docintake identify` judges a file exactly as an upload of it would be judged, the size cap
/// included.
@Suite struct IdentifyCapTests {
    @Test func aFileOverTheCapIsRefusedAsAnUploadWouldBe() async throws {
        let binary = try Program.docintakeBinary()
        let pdf = Fixtures.path("tiny-reportlab.pdf")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int)

        let atCap = try await Program.run(binary, ["identify", "--json", "--max-file-size", String(size), pdf])
        #expect(atCap.status == 0, "\(atCap.stdout)\(atCap.stderr)")
        #expect(atCap.stdout.contains(#""accepted":true"#))

        let overCap = try await Program.run(binary, ["identify", "--json", "--max-file-size", String(size - 1), pdf])
        #expect(overCap.status == 1, "\(overCap.stdout)\(overCap.stderr)")
        #expect(overCap.stdout.contains(#""reason":"file_too_large""#), "\(overCap.stdout)")

        // The same setting as `serve`'s, from the environment.
        let fromEnvironment = try await Program.run(binary, ["identify", pdf], environment: ["DOCINTAKE_MAX_FILE_SIZE": String(size - 1)])
        #expect(fromEnvironment.status == 1)
        #expect(fromEnvironment.stdout.contains("file_too_large"))

        let invalid = try await Program.run(binary, ["identify", "--max-file-size", "0", pdf])
        #expect(invalid.status != 0 && invalid.status != 1, "a bad flag is a usage error, not a verdict")
    }
}
