import DocIntake
import Foundation
import Storage
import Testing

/// What only several servers behind the balancer show (CI's cluster pass: `DOCINTAKE_TEST_CLUSTER=2`
/// with PostgreSQL and S3). Every other end-to-end suite runs through the balancer in that pass too.
@Suite(.enabled(if: TestCluster.size > 1, "only in a cluster: DOCINTAKE_TEST_CLUSTER=2 with PostgreSQL and S3"))
struct ClusterTests {
    /// `docintake-review` against the balancer: its list, claim, download and decision requests land
    /// on alternate servers, and each server reads what the other wrote.
    @Test func theReviewLoopWorksWithEachRequestOnTheNextServer() async throws {
        try await TestServer.with { server in
            let balancer = try #require(server.balancer)
            let application = try await ReviewCLITests.submit(server)
            let token = try await ReviewCLITests.reviewerToken(server)
            let output = try ReviewCLITests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: output) }
            let before = try balancer.accessLog().count
            let environment = ["DOCINTAKE_SERVER": server.baseURL, "DOCINTAKE_TOKEN": token]
            for arguments in [
                ["list"], ["claim", application.id], ["download", application.id, "--output", output],
                ["decide", application.id, "approve"],
            ] {
                let result = try await Program.run(try Program.reviewBinary(), arguments, environment: environment)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            for name in ReviewCLITests.files(in: output) {
                let sent = name.contains("opening_permit") ? ReviewCLITests.permit : ReviewCLITests.notification
                #expect(try ReviewCLITests.sha256(output + "/" + name) == ReviewCLITests.sha256(sent), "\(name)")
            }
            #expect(ReviewCLITests.files(in: output).count == 2)

            let upstreams = try balancer.accessLog().dropFirst(before).compactMap(\.upstreams.last)
            #expect(upstreams.count >= 5, "list, claim, two downloads and the decision went through nginx: \(upstreams)")
            #expect(Set(upstreams) == Set(server.nodePorts.map { "127.0.0.1:\($0)" }), "every server answered: \(upstreams)")
            #expect(zip(upstreams, upstreams.dropFirst()).allSatisfy { $0 != $1 }, "consecutive requests on different servers: \(upstreams)")
            let status = try await server.stores().metadata.application(id: application.id)?.status
            #expect(status == .approved)
        }
    }

    /// Every server runs retention each second; each expired document is still deleted once, with one
    /// deletion record, whichever server's run got to it.
    @Test(.timeLimit(.minutes(3)))
    func retentionOnEveryServerDeletesEachDocumentOnce() async throws {
        try await RetentionWorld.with(retentionInterval: .seconds(1)) { world in
            var ids: [String] = []
            for _ in 0..<3 {
                let id = try await world.submit()
                try await world.decide(id, .reject, at: Date().addingTimeInterval(-400 * day))
                ids.append(id)
            }
            for _ in 0..<300 {
                var left = 0
                for id in ids { left += try await world.documents(id).count }
                if left == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // Several more runs on each server, which must find nothing left to do.
            try await Task.sleep(for: .seconds(3))
            for id in ids {
                #expect(try await world.documents(id).isEmpty, "\(id): the documents were deleted")
                let records = try await world.stores.metadata.deletionRecords(applicationId: id)
                #expect(records.count == 2, "\(id): one record per document, not one per server: \(records)")
                #expect(Set(records.map(\.documentId)).count == records.count)
                let actions = try await world.stores.metadata.auditLog(applicationId: id).filter { $0.actor == "system" }.map(\.action)
                let notices = try await world.stores.metadata.notices(applicationId: id)
                #expect(actions.filter { $0 == "delete_documents" }.count == 1, "\(id): \(actions)")
                #expect(actions.filter { $0 == "notice_file_deleted" }.count == notices.count, "each notice's file once: \(actions)")
                #expect(actions.count == 1 + notices.count, "\(id): \(actions)")
            }
        }
    }

    /// Both servers deliver notices; each is written to the outbox once, on its first attempt.
    @Test func eachNoticeIsDeliveredOnceAcrossTheServers() async throws {
        try await TestServer.with { server in
            let count = 6
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        let created = try await server.submitWorkplaceClinic()
                        #expect(created.status == 201, "\(created.text)")
                    }
                }
                try await group.waitForAll()
            }
            let outbox = server.dataDirectory + "/outbox"
            _ = try await EMLReader.files(in: outbox, atLeast: count)
            let metadata = try await server.stores().metadata
            for _ in 0..<100 where try await !metadata.notices(applicationId: nil).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            // Both deliverers poll again meanwhile: a second delivery would show up as a file more.
            try await Task.sleep(for: .seconds(2))
            let files = try await EMLReader.files(in: outbox, atLeast: count)
            #expect(files.count == count, "one file per notice: \(files.count) for \(count)")
            let emails = try await EMLReader.read(files)
            let subjects = emails.compactMap { $0["body"] as? String }.compactMap { body in
                body.split(separator: "\n").first { $0.hasPrefix("受付番号: ") }
            }
            #expect(Set(subjects).count == count, "a notice per application, none twice")
            let applications = try await metadata.applications(statuses: nil, after: nil, limit: 100)
            for application in applications {
                let rows = try await metadata.notices(applicationId: application.record.id)
                #expect(rows.count == 1 && rows.allSatisfy { $0.sentAt != nil && $0.attempts == 1 }, "\(rows)")
            }
        }
    }

    /// After uploads spread over both servers, `docintake scrub` finds every blob whole and referenced.
    @Test func scrubIsCleanAfterUploadsOnEveryServer() async throws {
        try await TestServer.with { server in
            for _ in 0..<4 { #expect(try await server.submitWorkplaceClinic().status == 201) }
            let upstreams = Set(try #require(server.balancer).accessLog().compactMap(\.upstreams.last))
            #expect(upstreams.count == server.nodePorts.count, "the uploads went to every server: \(upstreams)")
            let scrub = try await Program.run(
                try Program.docintakeBinary(), ["scrub", "--data-dir", server.dataDirectory, "--json", "--grace-hours", "0"])
            #expect(scrub.status == 0, "\(scrub.stdout)\(scrub.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(scrub.stdout.utf8)) as? [String: Any])
            for key in ["corrupt", "missing", "orphans"] {
                #expect((report[key] as? [Any])?.isEmpty == true, "\(key): \(scrub.stdout)")
            }
            #expect(try server.tempFiles().isEmpty)
        }
    }

    /// tuspy through the balancer: its PATCHes land on alternate servers, one is cut off mid-body,
    /// a new client resumes from the offset whichever server it reaches, and the form that names the
    /// upload (on either server) stores the file's bytes. Each server fetched from the bucket only
    /// what the other received, and the upload's segments are gone once it is used.
    @Test func aResumableUploadContinuesOnWhicheverServerEachPatchReaches() async throws {
        try await TestServer.with { server in
            let balancer = try #require(server.balancer)
            let document = Fixtures.path("notice-libreoffice-ja.pdf")
            let state = NSTemporaryDirectory() + "tus-state-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: state) }
            let before = try balancer.accessLog().count
            let run = try await PythonScript.json(
                OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Support/tus_client.py").path,
                ["resume", server.baseURL, document, "opening_notification", state], as: [String: any Sendable].self)
            let size = try #require(run["size"] as? Int)
            #expect(run["final_offset"] as? Int == size)
            let patches = try balancer.accessLog().dropFirst(before).filter { $0.method == "PATCH" }
            // nginx logs "-" for a request it never passed on: the cut PATCH, when the client closed
            // before nginx had connected upstream (seen under CI's load).
            let servers = patches.compactMap(\.upstreams.last).filter { $0 != "-" }
            // Through nginx the cut PATCH's bytes may die in nginx's buffers, so the resume starts at
            // the last acknowledged offset or past it, never before it and never past what was sent.
            // That a server keeps what reached it is ResumableUploadTests' (on DocIntake's own socket).
            let resumedFrom = try #require(run["resumed_from"] as? Int)
            let beforeCut = try #require(run["before_cut"] as? Int)
            #expect(resumedFrom >= beforeCut && resumedFrom <= beforeCut + (run["sent_in_cut"] as? Int ?? 0), "\(run)")
            #expect(Set(servers) == Set(server.nodePorts.map { "127.0.0.1:\($0)" }), "PATCHes on every server: \(servers)")
            #expect(zip(servers, servers.dropFirst()).filter { $0 != $1 }.count >= 5, "the upload moved between servers: \(servers)")

            let url = try #require(run["url"] as? String)
            let id = try #require(url.split(separator: "/").last.map(String.init))
            let sha256 = try SubmissionTests.sha256(ofFile: document)
            for _ in server.nodePorts {  // the verdict from each server in turn
                let status = try await Curl.run(ResumableUploadTests.tus + [url])
                #expect(status.json["state"] as? String == "accepted" && status.json["sha256"] as? String == sha256, "\(status.text)")
            }
            let submitted = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                    + [
                        "--form-string", "opening_notification_upload=\(id)", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                        server.baseURL + "/api/v1/applications",
                    ])
            #expect(submitted.status == 201, "\(submitted.text)")
            let documents = try #require(submitted.json["documents"] as? [[String: Any]])
            #expect(documents.first { $0["slot"] as? String == "opening_notification" }?["sha256"] as? String == sha256)
            let bucket = try #require(try await server.stores().blobs as? S3BlobStore)
            let left = try await bucket.client.listAllObjects(prefix: bucket.prefix + "uploads/")
            #expect(left.isEmpty, "segments left after use: \(left.map(\.key))")
        }
    }

    /// The web form in Chromium, through nginx in front of two real `docintake serve` processes:
    /// the page, its uploads, the applicant's return visit and the reviewer's part land on
    /// whichever server is next.
    @Test func theWebFormWorksThroughTheBalancerInChromium() async throws {
        let maxFileSize = 12 * 1024 * 1024
        let servers = try await Self.serverProcesses(2, arguments: ["--max-file-size", "\(maxFileSize)"])
        defer {
            for server in servers { server.stop() }
            try? FileManager.default.removeItem(atPath: servers[0].dataDirectory)
        }
        let balancer = try NginxProxy(upstreamPorts: servers.map(\.port))
        let token = try await ReviewerAdmin(metadata: try TestBackend.stores(servers[0].dataDirectory).metadata).add(name: "browser-check")
        try await BrowserTests.fillInTheForm(at: balancer.baseURL, reviewerToken: token, maxFileSize: maxFileSize)
        let upstreams = Set(try balancer.accessLog().compactMap(\.upstreams.last))
        #expect(upstreams == Set(servers.map { "127.0.0.1:\($0.port)" }), "both servers served the browser: \(upstreams)")
        await TestBackend.release(servers[0].dataDirectory)
    }

    /// The form's tus client in Chromium through nginx: its PATCHes, the HEADs after a cut or a
    /// reload, and 送信 land on whichever server is next, and every resume continues from the
    /// offset the bucket's segments back.
    @Test func theFormsResumableUploadsWorkThroughTheBalancerInChromium() async throws {
        let servers = try await Self.serverProcesses(2, arguments: [])
        defer {
            for server in servers { server.stop() }
            try? FileManager.default.removeItem(atPath: servers[0].dataDirectory)
        }
        let balancer = try NginxProxy(upstreamPorts: servers.map(\.port))
        let token = try await ReviewerAdmin(metadata: try TestBackend.stores(servers[0].dataDirectory).metadata).add(name: "browser-check")
        try await BrowserTests.uploadByTus(at: balancer.baseURL, metricsURLs: servers.map(\.metricsURL), reviewerToken: token)
        let patches = try balancer.accessLog().filter { $0.method == "PATCH" }.compactMap(\.upstreams.last)
        #expect(Set(patches) == Set(servers.map { "127.0.0.1:\($0.port)" }), "PATCHes on both servers: \(patches)")
        await TestBackend.release(servers[0].dataDirectory)
    }

    /// `count` real servers on the database and bucket of the first one's data directory, with its pepper.
    static func serverProcesses(_ count: Int, arguments: [String]) async throws -> [ServerProcess] {
        let first = NSTemporaryDirectory() + "docintake-cluster-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: first, withIntermediateDirectories: true)
        var configuration = ServerConfiguration(dataDirectory: first)
        configuration.blobStore = try await TestBackend.blobStore(for: first)
        let others = (1..<count).map { first + "/cluster/node\($0)" }
        try await TestCluster.share(first, with: others, configuration: &configuration)
        var servers: [ServerProcess] = []
        do {
            for directory in [first] + others {
                let shared = try await TestBackend.arguments(for: directory) + ["--pepper-file", first + "/pepper"]
                servers.append(try await ServerProcess(arguments: shared + arguments, dataDirectory: directory))
            }
        } catch {
            for server in servers { server.stop() }
            throw error
        }
        return servers
    }
}
