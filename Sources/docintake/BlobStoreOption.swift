import ArgumentParser
import Storage

/// `--blob-store` and `--s3-path-style`: the S3 bucket servers share for the documents' bytes, for
/// every command that reads or writes them.
struct BlobStoreOption: ParsableArguments {
    @Option(
        name: .customLong("blob-store"),
        help: ArgumentHelp(
            "S3 bucket for the documents, s3://BUCKET/PREFIX (default: the data directory). Endpoint and keys: AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. Env: DOCINTAKE_BLOB_STORE",
            valueName: "url"))
    var text: String?

    @Flag(
        name: .customLong("s3-path-style"),
        help: "Address the bucket as ENDPOINT/BUCKET (MinIO, Ceph) rather than BUCKET.ENDPOINT. Env: DOCINTAKE_S3_PATH_STYLE=1")
    var pathStyle = false

    /// The bucket, or nil for the data directory's `blobs/`.
    func location() throws -> BlobStoreLocation? {
        guard let text = text ?? Environment.value("DOCINTAKE_BLOB_STORE"), !text.isEmpty else { return nil }
        do {
            return try BlobStoreLocation(
                text, pathStyle: pathStyle || ["1", "true", "yes"].contains(Environment.value("DOCINTAKE_S3_PATH_STYLE") ?? ""))
        } catch {
            throw ValidationError("--blob-store: \(error)")
        }
    }
}
