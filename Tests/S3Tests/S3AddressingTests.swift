import Foundation
import Testing

@testable import S3

/// Where a request goes: virtual-hosted (AWS) or path style (MinIO, Ceph, moto), ports, and an endpoint with a path.
@Suite struct S3AddressingTests {
    static func target(_ endpoint: String, pathStyle: Bool, key: String?) async throws -> [String] {
        let configuration = S3Configuration(
            endpoint: URL(string: endpoint)!, bucket: "docs", credentials: S3Credentials(accessKeyId: "A", secretAccessKey: "s"),
            pathStyle: pathStyle)
        return try await S3Client.withClient(configuration) { client in
            let target = client.target(key: key)
            return [target.origin, target.host, target.encodedPath]
        }
    }

    @Test func virtualHosted() async throws {
        #expect(
            try await Self.target("https://s3.ap-northeast-1.amazonaws.com", pathStyle: false, key: "sha256/ab/x y")
                == ["https://docs.s3.ap-northeast-1.amazonaws.com", "docs.s3.ap-northeast-1.amazonaws.com", "/sha256/ab/x%20y"])
        #expect(
            try await Self.target("https://s3.ap-northeast-1.amazonaws.com/", pathStyle: false, key: nil)
                == ["https://docs.s3.ap-northeast-1.amazonaws.com", "docs.s3.ap-northeast-1.amazonaws.com", "/"])
    }

    @Test func pathStyle() async throws {
        #expect(
            try await Self.target("http://127.0.0.1:9000", pathStyle: true, key: "a/b")
                == ["http://127.0.0.1:9000", "127.0.0.1:9000", "/docs/a/b"])
        #expect(try await Self.target("http://minio:9000", pathStyle: true, key: nil) == ["http://minio:9000", "minio:9000", "/docs"])
        // A default port is left out of Host, as clients send it and servers sign it.
        #expect(try await Self.target("https://ceph.example:443/s3/", pathStyle: true, key: "k")[1...] == ["ceph.example", "/s3/docs/k"])
        #expect(try await Self.target("http://[::1]:9000", pathStyle: true, key: "k")[1] == "[::1]:9000")
    }
}
