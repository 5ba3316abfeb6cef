import Foundation
import S3
import Storage
import Testing

/// What a failing disk, an operator's slip or an intruder does to stored blobs, done to whichever
/// store holds them: files in the data directory, or objects in the test bucket (written with
/// their own checksum, which S3 accepts; only our reads can tell).
enum BlobTamper {
    /// Flips one byte in the middle of the stored blob.
    static func flip(_ hex: String, in blobs: any BlobStore) async throws {
        var bytes = try await read(hex, in: blobs)
        bytes[bytes.count / 2] ^= 0x01
        try await write(bytes, as: hex, in: blobs)
    }

    /// The stored bytes as they are, unverified.
    static func read(_ hex: String, in blobs: any BlobStore) async throws -> [UInt8] {
        let digest = try #require(BlobDigest(hex: hex))
        switch blobs {
        case let files as FileBlobStore:
            return Array(try Data(contentsOf: URL(fileURLWithPath: files.path(of: digest))))
        case let objects as S3BlobStore:
            var bytes: [UInt8] = []
            for try await chunk in try await objects.client.getObject(key: objects.key(of: digest)).body {
                bytes += Array(chunk.readableBytesView)
            }
            return bytes
        default:
            throw TestFailure("no way to reach the bytes of a \(type(of: blobs))")
        }
    }

    /// Stores `bytes` under the name `hex`, whatever they hash to: a damaged copy, or an orphan.
    static func write(_ bytes: [UInt8], as hex: String, in blobs: any BlobStore) async throws {
        let digest = try #require(BlobDigest(hex: hex))
        switch blobs {
        case let files as FileBlobStore:
            let path = files.path(of: digest)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        case let objects as S3BlobStore:
            try await objects.client.putObject(key: objects.key(of: digest), payload: .bytes(bytes))
        default:
            throw TestFailure("no way to write a \(type(of: blobs))")
        }
    }

    /// Deletes the stored blob behind the metadata's back.
    static func remove(_ hex: String, in blobs: any BlobStore) async throws {
        try await blobs.remove(try #require(BlobDigest(hex: hex)))
    }

    /// Whether the store holds a blob named `hex`.
    static func exists(_ hex: String, in blobs: any BlobStore) async throws -> Bool {
        try await blobs.file(try #require(BlobDigest(hex: hex))) != nil
    }
}
