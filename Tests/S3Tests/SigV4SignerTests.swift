import Foundation
import S3
import Testing

/// The worked examples of AWS's "Signature Calculations for the Authorization Header: Transferring Payload in a
/// Single Chunk" (S3 API reference): canonical request, string to sign and signature, digit for digit.
@Suite struct SigV4SignerTests {
    static let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    /// 20130524T000000Z.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = ("host", "examplebucket.s3.amazonaws.com")

    @Test func timestampOfTheExamples() {
        #expect(SigV4Signer.timestamp(Self.date) == "20130524T000000Z")
    }

    @Test func getObjectWithRange() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: SigV4Signer.encodePath("/test.txt"), query: [], headers: [Self.host, ("Range", "bytes=0-9")],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: Self.date)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headers.contains { $0.name == "x-amz-date" && $0.value == "20130524T000000Z" })
        #expect(!signed.headers.contains { $0.name == "x-amz-security-token" })
    }

    /// `$` in the key is encoded (`%24`); the Date header is signed like any other.
    @Test func putObject() {
        let payload = S3Payload.bytes(Array("Welcome to Amazon S3.".utf8))
        #expect(payload.sha256Hex == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = Self.signer.sign(
            method: "PUT", encodedPath: SigV4Signer.encodePath("/test$file.text"), query: [],
            headers: [Self.host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadSHA256: payload.sha256Hex, date: Self.date)
        #expect(
            signed.canonicalRequest == """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """)
        #expect(signed.stringToSign.hasSuffix("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    /// A parameter without a value (`?lifecycle`) is `lifecycle=` in the canonical query.
    @Test func getBucketLifecycle() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: "/", query: [("lifecycle", "")], headers: [Self.host],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: Self.date)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "lifecycle=")
        #expect(signed.stringToSign.hasSuffix("\n9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"))
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    /// Query parameters are sorted: given as prefix then max-keys, signed as max-keys=2&prefix=J.
    @Test func listObjects() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [Self.host],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: Self.date)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "max-keys=2&prefix=J")
        #expect(signed.stringToSign.hasSuffix("\ndf57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func uriEncoding() {
        #expect(SigV4Signer.encodePath("/a b/c+d/日本.pdf") == "/a%20b/c%2Bd/%E6%97%A5%E6%9C%AC.pdf")
        #expect(SigV4Signer.encodePath("/keep-._~/x") == "/keep-._~/x")
        #expect(SigV4Signer.uriEncode("a/b=c&d", keepSlash: false) == "a%2Fb%3Dc%26d")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "x y"), ("a", "1")]) == "a=1&a=x%20y&b=2")
    }

    /// Temporary credentials sign their token as x-amz-security-token, and the token changes the signature.
    @Test func sessionTokenIsSigned() {
        let withToken = SigV4Signer(
            credentials: S3Credentials(
                accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: "tok"),
            region: "us-east-1")
        let signed = withToken.sign(
            method: "GET", encodedPath: "/test.txt", query: [], headers: [Self.host], payloadSHA256: SigV4Signer.emptyPayloadSHA256,
            date: Self.date)
        #expect(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == "tok" })
        #expect(signed.authorization.contains("x-amz-security-token"))
        #expect(signed.canonicalRequest.contains("\nx-amz-security-token:tok\n"))
    }
}

@Suite struct S3ConfigurationTests {
    @Test func fromEnvironment() throws {
        let configuration = try S3Configuration.fromEnvironment(
            bucket: "b", pathStyle: true,
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9001",
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value", "AWS_SESSION_TOKEN": "t0ken-value",
            ])
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:9001")
        #expect(configuration.region == "us-east-1")
        #expect(configuration.credentials.sessionToken == "t0ken-value")
        for text in [configuration.description, configuration.debugDescription, "\(configuration)", String(reflecting: configuration)] {
            #expect(text.contains("AKID"))
            #expect(!text.contains("s3cr3t-value"))
            #expect(!text.contains("t0ken-value"))
        }
    }

    @Test func endpointCredentialsAreNotPrinted() throws {
        let configuration = try S3Configuration.fromEnvironment(
            bucket: "b", pathStyle: true,
            environment: ["AWS_ENDPOINT_URL": "http://minio:pa55word@127.0.0.1:9000", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "x"])
        #expect(!configuration.description.contains("pa55word"))
        #expect(configuration.description.contains("127.0.0.1:9000"))
    }

    @Test func defaultsToAWSRegionalEndpoint() throws {
        let configuration = try S3Configuration.fromEnvironment(
            bucket: "b", pathStyle: false,
            environment: ["AWS_REGION": "ap-northeast-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x"])
        #expect(configuration.endpoint.absoluteString == "https://s3.ap-northeast-1.amazonaws.com")
        #expect(configuration.region == "ap-northeast-1")
    }

    @Test func namesTheMissingVariable() {
        #expect(throws: S3ConfigurationError.missing("AWS_SECRET_ACCESS_KEY")) {
            try S3Configuration.fromEnvironment(bucket: "b", pathStyle: true, environment: ["AWS_ACCESS_KEY_ID": "AKID"])
        }
        #expect(throws: S3ConfigurationError.missing("AWS_ACCESS_KEY_ID")) {
            try S3Configuration.fromEnvironment(bucket: "b", pathStyle: true, environment: ["AWS_SECRET_ACCESS_KEY": "x"])
        }
        #expect(S3ConfigurationError.missing("AWS_ACCESS_KEY_ID").description.contains("AWS_ACCESS_KEY_ID"))
        #expect(throws: S3ConfigurationError.self) {
            try S3Configuration.fromEnvironment(
                bucket: "b", pathStyle: true,
                environment: ["AWS_ENDPOINT_URL": "ftp://x", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "x"])
        }
    }
}
