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
