import Crypto
import Foundation
import Storage
import Testing

@testable import DocIntake

/// Scale-out under faults (issue 20): two real servers behind nginx, sharing one PostgreSQL
/// database and one bucket, while uploads (some of several MiB, in flight when it happens) and
/// review downloads run through the balancer:
/// - one server is SIGKILLed at seeded random times (20 kills unless told otherwise) and restarted
///   on its port after a short pause;
/// - PostgreSQL is stopped and started again once, and moto is frozen (SIGSTOP) then resumed once.
///
/// Then: every acknowledged (201) application is there and each document downloads with the
/// SHA-256 that was sent; an upload that failed answered 502/503 or lost its connection (never a
/// 500) and left no document row, unless it had committed whole before its server died; no POST
/// was passed to a second server after reaching one (nginx's log) nor stored twice; no staging is
/// left, locally or in the bucket, once the operator's sweep has run; the servers came back from
/// each outage by themselves, answering 503 with Retry-After meanwhile.
///
/// The seed is printed; `DOCINTAKE_CLUSTER_SEED=N` replays the same kill times, victims and upload
/// sizes (the machine's timing still varies). CI runs it in a step of its own
/// (`DOCINTAKE_CLUSTER_TESTS=1`): it starts a PostgreSQL, a moto and nginx of its own and takes
/// about two minutes. docs/robustness.md reports a run's counts.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOCINTAKE_CLUSTER_TESTS"] == "1"))
struct ClusterFaultTests {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.timeLimit(.minutes(8))) func killedServersAndOutagesLoseNothingAcknowledged() async throws {
        let seed = Self.environment["DOCINTAKE_CLUSTER_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let kills = Self.environment["DOCINTAKE_CLUSTER_KILLS"].flatMap { Int($0) } ?? 20
        print("ClusterFaultTests: seed \(seed), \(kills) kills (replay: DOCINTAKE_CLUSTER_SEED=\(seed))")
        var random = CrashConsistencyTests.SeededGenerator(state: seed)
        let plan = FaultPlan(kills: kills, servers: 2, using: &random)
        let cluster = try await ServerCluster.start(servers: 2)
        do {
            try await FaultRun(cluster: cluster, plan: plan, seed: seed).run()
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}

/// What the seed decides: when each kill comes, which server it takes and how long that stays
/// down, and the size of each upload.
struct FaultPlan {
    struct Kill {
        let after: Duration
        let victim: Int
        let down: Duration
    }

    let kills: [Kill]
    let uploadSizes: [Int]

    init(kills count: Int, servers: Int, using random: inout CrashConsistencyTests.SeededGenerator) {
        kills = (0..<count).map { _ in
            Kill(
                after: .milliseconds(Int.random(in: 300...1500, using: &random)), victim: Int.random(in: 0..<servers, using: &random),
                down: .milliseconds(Int.random(in: 200...800, using: &random)))
        }
        // One in three of 6-12 MiB: streamed to S3 in 8 MiB parts while it arrives, in flight for a
        // second or more; the rest small, so that many applications are acknowledged.
        uploadSizes = (0..<2000).map { _ in
            Int.random(in: 0..<3, using: &random) == 0
                ? Int.random(in: (6 << 20)...(12 << 20), using: &random) : Int.random(in: (16 << 10)...(1 << 20), using: &random)
        }
    }
}

/// What happened to each request the load sent through the balancer.
actor FaultLedger {
    enum Phase: String, Sendable { case kills, postgres, objectStore, after }

    struct Upload: Sendable {
        let attempt: Int
        let sha256: String
        let status: Int
        let id: String?
        let code: String?
        let retryAfter: Bool
        let phases: Set<Phase>
        let probe: Bool
    }

    struct Download: Sendable {
        let status: Int
        /// The problem's `code` of a 503: nginx's `server_unavailable`, or DocIntake's.
        let code: String?
        /// 200 with every byte: then the digest must match.
        let complete: Bool
        let matches: Bool
        let phases: Set<Phase>
    }

    private(set) var uploads: [Upload] = []
    private(set) var downloads: [Download] = []
    private(set) var phase = Phase.kills
    private(set) var stopped = false
    private(set) var inFlight = 0
    private var nextAttempt = 0
    /// The acknowledged applications: id, and the unique document's digest and size.
    private(set) var acknowledged: [(id: String, sha256: String, size: Int)] = []

    func enter(_ phase: Phase) { self.phase = phase }
    func stop() { stopped = true }

    func begin() -> (attempt: Int, phase: Phase) {
        defer { nextAttempt += 1 }
        inFlight += 1
        return (nextAttempt, phase)
    }

    func record(_ upload: Upload, size: Int) {
        inFlight -= 1
        uploads.append(upload)
        if upload.status == 201, let id = upload.id { acknowledged.append((id, upload.sha256, size)) }
    }

    func record(_ download: Download) { downloads.append(download) }

    /// The acknowledged application `draw` falls on, if any.
    func pick(_ draw: UInt64) -> (id: String, sha256: String, size: Int)? {
        acknowledged.isEmpty ? nil : acknowledged[Int(draw % UInt64(acknowledged.count))]
    }
}

/// One run of the fault test on a started cluster.
struct FaultRun {
    let cluster: ServerCluster
    let plan: FaultPlan
    let seed: UInt64
    let ledger = FaultLedger()
    let work = NSTemporaryDirectory() + "docintake-cluster-uploads-" + UUID().uuidString
    static let permit = Fixtures.path("scan-pillow.png")
    static let documentPath = "/api/v1/review/applications/"

    func run() async throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let permitSHA = StoreAudit.hex(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: Self.permit))))
        let reviewer = try await ReviewerAdmin(metadata: cluster.stores().metadata).add(name: "cluster-faults")
        let pids = { cluster.servers.map { $0?.process.processIdentifier ?? 0 } }

        let load = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<3 { group.addTask { try await uploadLoop(worker: worker) } }
                for worker in 0..<2 { group.addTask { try await downloadLoop(worker: worker, reviewer: reviewer) } }
                try await group.waitForAll()
            }
        }
        var killedInFlight = 0
        do {
            for kill in plan.kills {
                try await Task.sleep(for: kill.after)
                killedInFlight += await ledger.inFlight
                try await cluster.kill(kill.victim)
                // GETs while one server is down: nginx passes those that reach it on to the other.
                for _ in 0..<2 { _ = try await Curl.run(["--max-time", "10", cluster.baseURL + "/healthz"]) }
                try await Task.sleep(for: kill.down)
                try await cluster.restart(kill.victim)
            }
            // nginx leaves a server that failed out of its rotation for fail_timeout (3 s, in
            // deploy/nginx.conf), also once it is back: the outages begin when both take requests again.
            try await Task.sleep(for: .seconds(3))
            let beforeOutages = pids()
            try await databaseRestart()
            try await objectStoreFreeze()
            #expect(pids() == beforeOutages, "a server had to be restarted after an outage")
            await ledger.enter(.after)
            try await Task.sleep(for: .seconds(2))
        } catch {
            await ledger.stop()
            _ = await load.result
            throw error
        }
        await ledger.stop()
        try await load.value

        // Under load, the first request to find a killed server is nearly always one in flight on it
        // (nginx then leaves the server out of its rotation), so GETs passed on are rare there. One
        // more kill with nothing in flight: the next GETs find it first.
        // Its last act: a 20 MiB upload straight to it, cut after its first 8 MiB part went to S3, so
        // that the bucket surely holds a killed upload's multipart upload for the sweep to remove.
        let base = cluster.servers[0]?.baseURL ?? ""
        let cut = Task { try await upload(probe: true, size: 20 << 20, rate: "8M", base: base) }
        try await Task.sleep(for: .seconds(2))
        try await cluster.kill(0)
        #expect(try await cut.value.status != 201)
        for _ in 0..<4 { _ = try await Curl.run(["--max-time", "10", cluster.baseURL + "/healthz"]) }
        try await cluster.restart(0)

        try await verify(reviewer: reviewer, permitSHA: permitSHA, killedInFlight: killedInFlight)

        // Each server still stops when asked, after all it went through, within the 60 s
        // deploy/docintake.service allows. Twice in eight runs, before PostgresMetadataStore's
        // shutdown was bounded, a server that lived through the PostgreSQL restart never exited,
        // and the test's own store never closed (docs/robustness.md).
        let stubborn = try await cluster.stopAll(grace: .seconds(60))
        let closed = try await cluster.closeStores(within: .seconds(20))
        #expect(stubborn.isEmpty, "servers that did not stop within 60 s of SIGTERM: \(stubborn)")
        #expect(closed, "the test's own PostgreSQL store did not close within 20 s")
    }

    // MARK: Load

    private func uploadLoop(worker: Int) async throws {
        while await !ledger.stopped {
            // As a client would, it waits a moment before the next try after a failure.
            if try await upload(probe: false).status != 201 { try await Task.sleep(for: .milliseconds(250)) }
        }
    }

    /// One application through the balancer, its notification a PDF unique to the attempt (tagged
    /// in the query string too, so that nginx's logs name it), its permit the PNG fixture.
    @discardableResult
    private func upload(probe: Bool, size fixed: Int? = nil, rate: String = "16M", base: String? = nil) async throws -> FaultLedger.Upload {
        let (attempt, startPhase) = await ledger.begin()
        let size = fixed ?? plan.uploadSizes[attempt % plan.uploadSizes.count]
        let pdf = try StoreAudit.pdf(in: work, tag: "cluster-\(seed)-\(attempt)", size: size)
        defer { try? FileManager.default.removeItem(atPath: pdf.path) }
        let result = try await Curl.run(
            ["--max-time", "120", "--limit-rate", rate] + ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(pdf.path)", "-F", "opening_permit=@\(Self.permit)",
                (base ?? cluster.baseURL) + "/api/v1/applications?attempt=\(attempt)",
            ])
        let upload = FaultLedger.Upload(
            attempt: attempt, sha256: pdf.sha256, status: result.status, id: result.json["id"] as? String,
            code: result.json["code"] as? String, retryAfter: result.headers.lowercased().contains("\nretry-after:"),
            phases: [startPhase, await ledger.phase], probe: probe)
        await ledger.record(upload, size: size)
        return upload
    }

    private func downloadLoop(worker: Int, reviewer: String) async throws {
        var random = CrashConsistencyTests.SeededGenerator(state: seed &+ UInt64(worker + 1))
        while await !ledger.stopped {
            guard let application = await ledger.pick(random.next()) else {
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            let startPhase = await ledger.phase
            let result = try await Curl.run([
                "--max-time", "60", "-H", "Authorization: Bearer \(reviewer)",
                cluster.baseURL + Self.documentPath + "\(application.id)/documents/opening_notification",
            ])
            let complete = result.status == 200 && result.body.count == application.size
            await ledger.record(
                FaultLedger.Download(
                    status: result.status, code: result.json["code"] as? String, complete: complete,
                    matches: complete && StoreAudit.hex(SHA256.hash(data: result.body)) == application.sha256,
                    phases: [startPhase, await ledger.phase]))
            if !complete { try await Task.sleep(for: .milliseconds(250)) }
        }
    }

    // MARK: Outages

    /// PostgreSQL stops for a few seconds under load: requests that need it answer 503 with
    /// Retry-After, and the servers serve again once it is back, without a restart.
    private func databaseRestart() async throws {
        await ledger.enter(.postgres)
        try await cluster.postgres.stopServer()
        // Each waits up to the pool's 10 s for a connection before it answers 503: sent together.
        async let probing = withThrowingTaskGroup(of: FaultLedger.Upload.self) { group in
            for delay in [0, 500, 1000] {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(delay))
                    return try await upload(probe: true, size: 64 << 10)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        async let readyChecks = readiness()
        let (probes, ready) = try await (probing, readyChecks)
        try await cluster.postgres.startServer()
        #expect(
            probes.contains { $0.status == 503 && $0.code == "database_unavailable" && $0.retryAfter },
            "with PostgreSQL down: \(probes.map { "\($0.status) \($0.code ?? "")" })")
        #expect(ready.allSatisfy { $0 == 503 }, "/readyz with PostgreSQL down: \(ready)")
        try await awaitReady("PostgreSQL is back")
        await ledger.enter(.kills)
    }

    /// moto frozen (SIGSTOP) for 12 s: the S3 client waits 10 s for an answer before it gives up,
    /// so a 10 s freeze shows as slow requests; 12 s lets the ones begun at its start answer 503.
    private func objectStoreFreeze() async throws {
        await ledger.enter(.objectStore)
        cluster.freezeObjectStore()
        let frozenAt = ContinuousClock.now
        let probes = Task {
            try await withThrowingTaskGroup(of: FaultLedger.Upload.self) { group in
                for delay in [100, 600, 1100] {
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(delay))
                        return try await upload(probe: true, size: 64 << 10)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let ready = Task { try await readiness() }
        try await Task.sleep(until: frozenAt + .seconds(12), clock: .continuous)
        cluster.thawObjectStore()
        let answers = try await probes.value
        let unready = try await ready.value
        #expect(
            answers.contains { $0.status == 503 && $0.code == "storage_unavailable" && $0.retryAfter },
            "with the bucket frozen: \(answers.map { "\($0.status) \($0.code ?? "")" })")
        // A check begun just before the 10 s retry budget ran out may outlast the freeze and pass.
        #expect(unready.allSatisfy { [200, 503].contains($0) }, "/readyz with the bucket frozen: \(unready)")
        try await awaitReady("moto is back")
        await ledger.enter(.kills)
    }

    /// Each server's own `/readyz` status now.
    private func readiness() async throws -> [Int] {
        try await cluster.servers.asyncMap { server in
            try await Curl.run(["--max-time", "30", (server?.baseURL ?? "http://127.0.0.1:1") + "/readyz"]).status
        }
    }

    private func awaitReady(_ what: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var statuses = try await readiness()
        while statuses.contains(where: { $0 != 200 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            statuses = try await readiness()
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(what): /readyz \(statuses)")
    }

    // MARK: Verification

    private func verify(reviewer: String, permitSHA: String, killedInFlight: Int) async throws {
        let uploads = await ledger.uploads
        let downloads = await ledger.downloads
        let acknowledged = uploads.filter { $0.status == 201 }
        let failed = uploads.filter { $0.status != 201 }
        let stores = try await cluster.stores()

        // Answers: a failed upload is a 503 with Retry-After, nginx's `server_unavailable` (its
        // server died under it, or none was in rotation) or DocIntake's (a store down), or a lost
        // connection; never a 500 or any other answer.
        for upload in failed {
            // Below 200: curl's last status when the connection died (0, or 100 after `100 Continue`).
            #expect(upload.status < 200 || upload.status == 503, "attempt \(upload.attempt): \(upload.status) \(upload.code ?? "")")
            if upload.status == 503 { #expect(upload.retryAfter && upload.code != nil, "attempt \(upload.attempt): 503 without Retry-After") }
            // A store is reported down only while it was. During the bucket's freeze the database may be
            // reported instead: CI (seed 1841925291) saw one upload begun in the freeze answer
            // database_unavailable, most likely a connection the pool could not give out in time while
            // others waited on the frozen bucket. Still a 503 with Retry-After; which store it names is
            // then imprecise (an open finding, docs/robustness.md). Outside both outages it fails.
            if upload.code == "database_unavailable" {
                #expect(!upload.phases.isDisjoint(with: [.postgres, .objectStore]), "attempt \(upload.attempt): \(upload.phases)")
            }
            if upload.code == "storage_unavailable" { #expect(upload.phases.contains(.objectStore), "attempt \(upload.attempt): \(upload.phases)") }
        }
        #expect(acknowledged.allSatisfy { $0.id != nil })
        for download in downloads {
            #expect([0, 200, 503].contains(download.status), "a download answered \(download.status)")
            if download.status == 503 && download.code != "server_unavailable" {
                #expect(!download.phases.isDisjoint(with: [.postgres, .objectStore]), "a 503 of DocIntake's outside the outages")
            }
            #expect(!download.complete || download.matches, "a complete download with other bytes than were sent")
        }

        // The staging left by killed uploads: each server's own was swept when it restarted (and
        // the running ones finished theirs); what is left in the bucket the operator's sweep removes.
        for slot in cluster.ports.indices {
            #expect(try StoreAudit.tempFiles(cluster.dataDirectory(slot)).isEmpty, "server \(slot) has staging files left")
        }
        let sweptAtRestart = cluster.ports.indices.flatMap(cluster.logs).map(Self.sweptCount).reduce(0, +)
        let remoteBefore = try await stores.blobs.staleRemoteStaging(olderThan: 0)
        #expect(!remoteBefore.isEmpty, "the upload killed after its first part left nothing in the bucket: the sweep check would prove nothing")
        let sweep = try await cluster.operatorCommand(["retention", "--grace-hours", "0"])
        #expect(sweep.status == 0, "docintake retention: \(sweep.stdout) \(sweep.stderr)")
        let remoteAfter = try await stores.blobs.staleRemoteStaging(olderThan: 0)
        #expect(remoteAfter.isEmpty, "staging left in the bucket after the sweep: \(remoteAfter)")

        // Nothing a failed upload left is referenced, unless it committed whole before its server died
        // (a lost answer, not a refusal); no application was stored twice.
        let references = Dictionary(try await stores.metadata.blobUsage().map { ($0.blob.sha256, $0.references) }) { $0 + $1 }
        var committedUnanswered = 0
        for upload in failed where references[upload.sha256, default: 0] > 0 {
            #expect(
                upload.status < 200 || upload.code == "server_unavailable",
                "attempt \(upload.attempt) was refused (\(upload.status)) but its document is stored")
            committedUnanswered += 1
        }
        for upload in uploads {
            #expect(references[upload.sha256, default: 0] <= 1, "attempt \(upload.attempt) was stored \(references[upload.sha256] ?? 0) times")
        }
        let applications = try await StoreAudit.applicationCount(stores.metadata)
        #expect(applications == acknowledged.count + committedUnanswered)
        let unreferenced = references.values.filter { $0 == 0 }.count

        // Every acknowledged application, after the sweep, through the balancer: both documents intact.
        var verified = 0
        for upload in acknowledged {
            guard let id = upload.id else { continue }
            let notification = try await StoreAudit.downloadedSHA256(
                baseURL: cluster.baseURL, reviewerToken: reviewer, id: id, slot: "opening_notification")
            let permit = try await StoreAudit.downloadedSHA256(baseURL: cluster.baseURL, reviewerToken: reviewer, id: id, slot: "opening_permit")
            #expect(notification == upload.sha256, "attempt \(upload.attempt): acknowledged as \(id), notification \(notification ?? "missing")")
            #expect(permit == permitSHA, "attempt \(upload.attempt): acknowledged as \(id), permit \(permit ?? "missing")")
            if notification == upload.sha256 && permit == permitSHA { verified += 1 }
        }

        let balancer = try BalancerLog(access: cluster.nginx?.accessLog() ?? [], errors: cluster.nginx?.errorLog() ?? "")
        #expect(balancer.statuses[500, default: 0] == 0, "nginx passed on a 500")
        #expect(balancer.repeatedPosts.isEmpty, "a POST passed on after reaching a server: \(balancer.repeatedPosts)")
        #expect(balancer.retriedGets.count > 0, "no GET was passed on from a killed server")
        #expect(balancer.cutPosts.count > 0, "no POST was in flight on a killed server: the test showed nothing about POSTs")
        #expect(balancer.retriedGets.allSatisfy { $0.status == 200 }, "a GET passed on did not get 200: \(balancer.retriedGets)")
        #expect(balancer.noLiveUpstream.allSatisfy { $0.status == 503 })

        let report = """
            ClusterFaultTests (seed \(seed)): kills \(plan.kills.count) (uploads in flight at a kill, summed: \(killedInFlight)), \
            uploads \(uploads.count) (probes \(uploads.filter(\.probe).count)): acknowledged \(acknowledged.count), \
            failed \(failed.count) [\(Self.tally(failed.map { "\($0.status)\($0.code.map { " " + $0 } ?? "")" }))], \
            committed but unanswered \(committedUnanswered); applications stored \(applications), verified \(verified); \
            downloads \(downloads.count) [\(Self.tally(downloads.map { $0.complete ? "complete" : "\($0.status) cut/failed" }))]; \
            nginx: GETs passed on \(balancer.retriedGets.count), POSTs cut by a kill and not passed on \(balancer.cutPosts.count), \
            POSTs passed on after a refused connect \(balancer.postsAfterRefusal), \
            answered 503 with no server in rotation: \(Self.tally(balancer.noLiveUpstream.map(\.method))), \
            errors [\(balancer.errorReasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))]; \
            staging swept at restart \(sweptAtRestart) files, in the bucket before the sweep \(remoteBefore.count), after 0; \
            unreferenced blobs (reserved by killed uploads, collected when the reservation expires) \(unreferenced); lost 0
            """
        print(report)
    }

    /// The `count` of the servers' "removed temp files left by an earlier run" lines.
    static func sweptCount(_ log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("removed temp files left by an earlier run") }.map { line in
            for marker in ["count=", "\"count\":\""] {
                if let range = line.range(of: marker) { return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0 }
            }
            return 0
        }.reduce(0, +)
    }

    static func tally(_ items: [String]) -> String {
        Dictionary(items.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            .joined(separator: ", ")
    }
}

/// nginx's view: its access log (method, URI, status, the upstreams tried) and its error log (why
/// each upstream failed, with the request line).
struct BalancerLog {
    typealias Request = NginxProxy.Request

    let requests: [Request]
    let statuses: [Int: Int]
    /// GETs nginx passed on to the other server after the first failed.
    let retriedGets: [Request]
    /// POSTs that reached a server killed before it answered (its upstream status 502), not passed on.
    let cutPosts: [Request]
    /// Requests nginx answered itself (503): every server was out of its rotation (fail_timeout).
    let noLiveUpstream: [Request]
    static let group = "docintake"
    /// POSTs nginx passed on although the first server had accepted the connection (it may have
    /// received the request): must be none.
    let repeatedPosts: [Request]
    /// POSTs passed on because the first server refused the connection: it received nothing.
    let postsAfterRefusal: Int
    /// nginx's error lines by reason (level and message, without the connection's details).
    let errorReasons: [String: Int]

    init(access: [Request], errors: String) throws {
        requests = access
        statuses = Dictionary(requests.map { ($0.status, 1) }, uniquingKeysWith: +)
        // nginx names the upstream group instead of an address when it had no server left to try.
        retriedGets = requests.filter { $0.method == "GET" && $0.upstreams.count > 1 && !$0.upstreams.contains(Self.group) }
        noLiveUpstream = requests.filter { $0.upstreams.contains(Self.group) }
        cutPosts = requests.filter {
            $0.method == "POST" && $0.status == 503 && $0.upstreams.count == 1 && $0.upstreams[0] != Self.group && $0.upstreamStatuses == ["502"]
        }
        let errorLines = errors.split(separator: "\n")
        var repeated: [Request] = []
        var afterRefusal = 0
        for post in requests where post.method == "POST" && post.upstreams.count > 1 {
            // Every error about the first upstream must be a failed connect.
            let about = errorLines.filter {
                $0.contains("request: \"POST \(post.uri) ") && $0.contains("upstream: \"http://\(post.upstreams[0])/")
            }
            if !about.isEmpty && about.allSatisfy({ $0.contains("while connecting to upstream") }) {
                afterRefusal += 1
            } else {
                repeated.append(post)
            }
        }
        repeatedPosts = repeated
        postsAfterRefusal = afterRefusal
        errorReasons = Dictionary(
            errorLines.compactMap { line -> String? in
                guard let level = line.range(of: " ["), let end = line.range(of: ", client:") else { return nil }
                let message = line[level.lowerBound..<end.lowerBound]
                return String(message.replacing(#/ \d+#\d+: (\*\d+ )?/#, with: " ")).trimmingCharacters(in: .whitespaces)
            }.map { ($0, 1) }, uniquingKeysWith: +)
    }
}

extension Sequence {
    /// `map` with an async transform, one element after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
