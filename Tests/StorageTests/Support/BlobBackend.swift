import Foundation
import S3
import S3TestSupport
import Testing

@testable import Storage

/// The blob stores the contract tests run against: the same test, each store.
enum BlobBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case directory
    case s3

    var testDescription: String { rawValue }

    /// A fresh, empty store: a temporary data directory, or a new bucket on the test's moto server
    /// (staging in a temporary directory, as a server's would be).
    func open() async throws -> OpenedBlobStore {
        let directory = try TemporaryDirectory()
        switch self {
        case .directory:
            return OpenedBlobStore(store: try FileBlobStore(root: directory.path), directory: directory, client: nil)
        case .s3:
            let client = S3Client(configuration: try await MotoServer.shared().freshBucket())
            let store = try S3BlobStore(client: client, prefix: "docintake", dataDirectory: directory.path)
            return OpenedBlobStore(store: store, directory: directory, client: client)
        }
    }
}

/// A blob store and what it lives in, released with it (keep it alive to the end of the test).
final class OpenedBlobStore: Sendable {
    let store: any BlobStore
    let directory: TemporaryDirectory
    private let client: S3Client?

    init(store: any BlobStore, directory: TemporaryDirectory, client: S3Client?) {
        self.store = store
        self.directory = directory
        self.client = client
    }

    deinit {
        if let client { Task { try? await client.shutdown() } }
    }

    /// Damages the stored blob as a failing disk or an intruder would: flips the byte at `offset`
    /// in the file, or overwrites the object with the flipped bytes (S3 accepts them: they hash to
    /// their own checksum, not to the blob's name).
    func flip(_ digest: BlobDigest, at offset: Int) async throws {
        switch store {
        case let files as FileBlobStore:
            let handle = try #require(FileHandle(forUpdatingAtPath: files.path(of: digest)))
            try handle.seek(toOffset: UInt64(offset))
            let original = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: [original ^ 0x01])
            try handle.close()
        case let objects as S3BlobStore:
            let key = objects.key(of: digest)
            var bytes: [UInt8] = []
            for try await chunk in try await objects.client.getObject(key: key).body { bytes += Array(chunk.readableBytesView) }
            bytes[offset] ^= 0x01
            try await objects.client.putObject(key: key, payload: .bytes(bytes))
        default:
            Issue.record("no way to damage a \(type(of: store))")
        }
    }

    /// The local staging files left (uploads in flight or abandoned).
    var stagingFiles: [String] { directory.files(under: "tmp") }
}
