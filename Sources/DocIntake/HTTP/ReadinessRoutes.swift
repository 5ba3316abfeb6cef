import Antivirus
import Hummingbird
import NIOCore
import Storage

/// `/readyz`: whether what an upload needs answers right now, for a load balancer to route by.
/// `/healthz` stays liveness only: a server whose clamd is down is alive, but must not take
/// uploads, which would all fail closed with 503.
struct ReadinessRoutes: Sendable {
    let metadata: any MetadataStore
    let blobs: any BlobStore
    let antivirus: ClamdClient?

    func register(on router: some RouterMethods<DocIntakeRequestContext>) {
        router.get("readyz") { _, _ in
            var checks: [String: String] = [:]
            let metadata = self.metadata
            do {
                try await metadata.ping()
                checks["database"] = "ok"
            } catch {
                checks["database"] = "unavailable"
            }
            do {
                try await blobs.ping()
                checks["blob_store"] = "ok"
            } catch {
                checks["blob_store"] = "unavailable"
            }
            if let antivirus {
                do {
                    // A short timeout and a thread of its own: a hung clamd must not hold the pool
                    // every request's fsync and SQLite work runs on.
                    let probe = ClamdClient(endpoint: antivirus.endpoint, timeout: .seconds(2))
                    try await Blocking.runOnOwnThread { try probe.ping() }
                    checks["clamd"] = "ok"
                } catch {
                    checks["clamd"] = "unavailable"
                }
            }
            let ready = checks.values.allSatisfy { $0 == "ok" }
            return try JSONResponse.make(
                Readiness(status: ready ? "ready" : "unavailable", checks: checks),
                status: ready ? .ok : .serviceUnavailable, headers: ready ? [:] : [.retryAfter: "10"])
        }
    }
}

/// The `/readyz` body: `ready` or `unavailable`, and each dependency's state.
struct Readiness: Codable, Sendable {
    var status: String
    var checks: [String: String]
}
