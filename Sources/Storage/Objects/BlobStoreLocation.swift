import Foundation
import Logging
import S3

/// `--blob-store s3://BUCKET/PREFIX`: the bucket (and key prefix) several servers share. The
/// endpoint and the credentials come from the standard AWS variables (`S3Configuration.fromEnvironment`).
public struct BlobStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// The bucket's name.
    public let bucket: String
    /// Keys start with it; empty for the bucket's root.
    public let prefix: String
    /// `https://ENDPOINT/BUCKET/KEY` instead of `https://BUCKET.ENDPOINT/KEY` (MinIO, Ceph, moto).
    public var pathStyle: Bool

    /// Parses `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    public init(_ text: String, pathStyle: Bool = false) throws(BlobStoreLocationError) {
        guard text.hasPrefix("s3://") else { throw .notS3(text) }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard !bucket.isEmpty, bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }), bucket.count <= 63
        else { throw .invalidBucket(bucket) }
        self.bucket = bucket
        self.prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
        self.pathStyle = pathStyle
    }

    /// `s3://BUCKET/PREFIX`.
    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    /// The store in this bucket, staging in `<dataDirectory>/tmp`, configured from `environment`,
    /// after HeadBucket proved that the endpoint answers, the credentials sign and the bucket exists.
    /// Call `shutdown()` on it when done.
    /// - Throws: `BlobStoreLocationError.unusable`, a sentence that names the cause and no secret.
    public func open(
        dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) async throws -> S3BlobStore {
        let configuration: S3Configuration
        do {
            configuration = try S3Configuration.fromEnvironment(bucket: bucket, pathStyle: pathStyle, environment: environment)
        } catch {
            throw BlobStoreLocationError.unusable("\(self): \(error)")
        }
        let client = S3Client(configuration: configuration, logger: logger)
        do {
            try await client.headBucket()
            return try S3BlobStore(client: client, prefix: prefix, dataDirectory: dataDirectory)
        } catch let error as S3Error {
            try? await client.shutdown()
            let cause =
                switch (error.kind, error.status) {
                case (.service, 403): "the credentials were refused (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy)"
                case (.service, 404): "there is no bucket \(bucket) (create it first)"
                case (.service, 301), (.service, 400):
                    "the bucket answers from another region or address (check AWS_REGION, AWS_ENDPOINT_URL_S3 and --s3-path-style)"
                case (.unreachable, _), (.timedOut, _): "\(configuration.endpoint.absoluteString) cannot be reached"
                default: "\(error)"
                }
            throw BlobStoreLocationError.unusable("\(self) at \(configuration.endpoint.absoluteString): \(cause)")
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Why a `--blob-store` cannot be used.
public enum BlobStoreLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an `s3://` URL.
    case notS3(String)
    /// Not a bucket name S3 accepts.
    case invalidBucket(String)
    /// The store did not answer as it must (wrong credentials, missing bucket, unreachable).
    case unusable(String)

    /// What the operator reads.
    public var description: String {
        switch self {
        case .notS3(let text): "\"\(text)\" is not an s3:// URL: give s3://BUCKET or s3://BUCKET/PREFIX"
        case .invalidBucket(let name): "\"\(name)\" is not a bucket name (3-63 lowercase letters, digits, '-' and '.')"
        case .unusable(let reason): "the blob store cannot be used: \(reason)"
        }
    }
}
