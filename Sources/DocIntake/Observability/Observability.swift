import Metrics
import Prometheus
import Storage
import Synchronization

/// Metrics exported for Prometheus at `GET /metrics`. swift-metrics can be bootstrapped once per
/// process, so every server in the process shares one registry.
public enum Observability {
    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The process's registry, bootstrapping swift-metrics on first use.
    public static var registry: PrometheusCollectorRegistry {
        bootstrapped.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
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
    static func update(from metadata: any MetadataStore) {
        if let bytes = try? metadata.storedBlobBytes() {
            Gauge(label: "docintake_blob_store_bytes").record(bytes)
        }
    }
}
