import Metrics

/// `docintake_notices_total{kind,outcome}`: delivery attempts by notice kind and outcome
/// (`sent` or `failed`).
enum NoticeMetrics {
    static func record(kind: String, outcome: String) {
        Counter(label: "docintake_notices_total", dimensions: [("kind", kind), ("outcome", outcome)]).increment()
    }
}
