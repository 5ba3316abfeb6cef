import Crypto
import Foundation
import Storage

/// What the fault tests check after a failure: the documents made at test time, and the
/// state of a data directory (files, rows, integrity) without trusting the server's word.
enum StoreAudit {
    /// Writes a PDF of `size` bytes whose content is unique to `tag`, so that its blob is new.
    static func pdf(in directory: String, tag: String, size: Int) throws -> (path: String, sha256: String) {
        let head = Array("%PDF-1.4\n%\(tag)\n".utf8)
        let tail = Array("\n%%EOF\n".utf8)
        let bytes = head + [UInt8](repeating: 0x20, count: max(0, size - head.count - tail.count)) + tail
        let path = "\(directory)/\(tag).pdf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, hex(SHA256.hash(data: bytes)))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 of a document as the review API serves it now (nil when not a complete 200).
    static func downloadedSHA256(baseURL: String, reviewerToken: String, id: String, slot: String) async throws -> String? {
        let result = try await Curl.run([
            "-H", "Authorization: Bearer \(reviewerToken)",
            "\(baseURL)/api/v1/review/applications/\(id)/documents/\(slot)",
        ])
        guard result.status == 200 else { return nil }
        return hex(SHA256.hash(data: result.body))
    }

    /// Names of the temp files in `<data>/tmp`; throws when the directory is missing, which
    /// would otherwise make every "nothing left behind" check pass.
    static func tempFiles(_ dataDirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/tmp")
    }

    /// Every stored blob's digest, as the store lists them (the directory tree, or the bucket).
    static func blobFiles(_ dataDirectory: String) async throws -> Set<String> {
        // The directory store straight, without the metadata: DatabaseOutageTests lists it with the database down.
        let blobs: any BlobStore =
            try await TestBackend.blobStore(for: dataDirectory) == nil
            ? try FileBlobStore(root: dataDirectory) : try await TestBackend.stores(dataDirectory).blobs
        return Set(try await blobs.list().map(\.digest.hex))
    }

    /// How many applications are stored.
    static func applicationCount(_ metadata: any MetadataStore) async throws -> Int {
        try await metadata.applications(statuses: nil, after: nil, limit: 100_000).count
    }

    /// `PRAGMA integrity_check` by the sqlite3 shell (installed by .ci/run), on its own connection.
    static func integrityCheck(_ dataDirectory: String) async throws -> String {
        let result = try await Program.run("/usr/bin/sqlite3", [dataDirectory + "/docintake.sqlite", "PRAGMA integrity_check;"])
        return (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
