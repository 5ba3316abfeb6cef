import Metrics
import Prometheus
import Storage

/// Metrics exported for Prometheus at `GET /metrics`. The executable bootstraps swift-metrics
/// with this registry (`MetricsSystem.bootstrap(PrometheusMetricsFactory(registry:))`), once per
/// process as swift-metrics allows, so every server in the process shares it; a library never
/// bootstraps a process-wide system.
public enum Observability {
    /// The process's registry, which `GET /metrics` renders.
    public static let registry = PrometheusCollectorRegistry()
}

/// Counts of uploads by outcome and, for rejections, by reason.
enum UploadMetrics {
    static func accepted(count: Int) {
        Counter(label: "docintake_documents_total", dimensions: [("outcome", "accepted"), ("reason", "none")])
            .increment(by: count)
    }

    static func rejected(reason: String) {
        Counter(label: "docintake_documents_total", dimensions: [("outcome", "rejected"), ("reason", reason)])
            .increment()
    }

    /// How long an accepted upload's answer took after the body's last chunk arrived: the fsync,
    /// the final checks and the commit, which the client waits for after its last byte
    /// (issue 23: within 15 ms for 100 MiB). Only the server can time it from that chunk; a
    /// client's clock also counts what still sat in the socket buffers.
    static func answered(since lastChunk: ContinuousClock.Instant?) {
        guard let lastChunk else { return }
        Timer(label: "docintake_upload_answer_after_last_byte_seconds").record(duration: lastChunk.duration(to: .now))
    }
}

/// The bytes held by the blob store, as the metadata counts them: set at start-up and after
/// every commit that may have added a blob.
enum BlobStoreMetrics {
    static func update(from metadata: any MetadataStore) async {
        if let bytes = try? await metadata.storedBlobBytes() {
            Gauge(label: "docintake_blob_store_bytes").record(bytes)
        }
    }
}
