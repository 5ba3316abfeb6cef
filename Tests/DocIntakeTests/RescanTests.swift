import Antivirus
import Foundation
import Storage
import Testing

@testable import DocIntake

/// A document that was clean by yesterday's signatures and is known as malware today: the
/// rescan finds it, quarantines it before a reviewer opens it, returns the application to its
/// applicant for a new file, and runs once at a time across servers.
@Suite(.serialized) struct RescanTests {
    static let signatureName = "DocIntake.Test.Rescan"
    static let reported = signatureName + ".UNOFFICIAL"

    /// A real PDF carrying `marker` in a comment line after its header: clean until a signature
    /// for the marker exists.
    static func markedPDF(_ marker: Data, in directory: String) throws -> String {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-reportlab.pdf")))
        let header = try #require(bytes.firstIndex(of: 0x0A))
        bytes.insert(contentsOf: Data("%".utf8) + marker + Data("\n".utf8), at: header + 1)
        let path = directory + "/permit-marked.pdf"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func marker() -> Data { Data("DocIntake rescan marker \(UUID().uuidString)".utf8) }

    func submit(_ server: TestServer, notification: String) async throws -> (id: String, token: String) {
        let result = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(notification)", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                server.baseURL + "/api/v1/applications",
            ])
        guard result.status == 201 else { throw TestFailure("submit: \(result.status) \(result.text)") }
        return (try #require(result.json["id"] as? String), try #require(result.json["access_token"] as? String))
    }

    @Test func aRescanQuarantinesADocumentStoredBeforeItsSignatureExisted() async throws {
        try await AntivirusTests.withSamples { samples in
            try await ClamdProcess.with { clamd in
                try await TestServer.with(antivirus: ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(30))) { server in
                    let marker = Self.marker()
                    let marked = try Self.markedPDF(marker, in: samples.directory)
                    let stores = try await server.stores()
                    let reviewToken = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
                    let sato = try #require(try await stores.metadata.reviewers().first)
                    let review = ReviewService(blobs: stores.blobs, metadata: stores.metadata)

                    // Clean by today's signatures: stored. Two undecided applications share the blob;
                    // a third, decided, is not the rescan's business.
                    let submitted = try await submit(server, notification: marked)
                    let underReview = try await submit(server, notification: marked)
                    _ = try await review.claim(underReview.id, by: sato)
                    let approved = try await submit(server, notification: marked)
                    _ = try await review.claim(approved.id, by: sato)
                    _ = try await review.decide(approved.id, decision: .approve, reason: nil, by: sato)

                    let binary = try Program.docintakeBinary()
                    let arguments = ["rescan", "--data-dir", server.dataDirectory, "--clamd", "unix:\(clamd.socketPath)"]
                    let before = try await Program.run(binary, arguments)
                    #expect(before.status == 0, "nothing is known yet: \(before.stdout) \(before.stderr)")
                    #expect(before.stdout.contains("Rescan: 4 documents (2 blobs"), "\(before.stdout)")
                    #expect(try await stores.metadata.documents(applicationId: submitted.id).allSatisfy { $0.quarantinedAt == nil })

                    // The signature is published; the next rescan finds the stored document.
                    try await clamd.addSignature(name: Self.signatureName, matching: marker)
                    let after = try await Program.run(binary, arguments + ["--json"])
                    #expect(after.status == 1, "something was quarantined: \(after.stdout) \(after.stderr)")
                    let report = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
                    let quarantined = report["quarantined"] as? [[String: Any]] ?? []
                    #expect(Set(quarantined.compactMap { $0["application_id"] as? String }) == [submitted.id, underReview.id])
                    #expect(quarantined.allSatisfy { $0["signature"] as? String == Self.reported && $0["slot"] as? String == "opening_notification" })
                    #expect(report["applications_returned"] as? Int == 2)

                    for id in [submitted.id, underReview.id] {
                        let record = try #require(try await stores.metadata.application(id: id))
                        #expect(record.status == .returned, "returned to the applicant for a new file")
                        let current = try await stores.metadata.documents(applicationId: id).filter { $0.supersededAt == nil }
                        #expect(current.filter { $0.quarantinedAt != nil }.map(\.slot) == [.openingNotification])
                        let audit = try await stores.metadata.auditLog(applicationId: id)
                        let finding = try #require(audit.first { $0.action == "quarantine" })
                        #expect(finding.detail?.contains(Self.reported) == true, "the audit log names the signature")
                        #expect(audit.last?.action == "return" && audit.last?.reason?.contains("開設届の写し") == true)
                        let notices = try await stores.metadata.notices(applicationId: id).filter { $0.kind == "return" }
                        #expect(notices.count == 1, "one return notice per application")
                        #expect(notices.allSatisfy { !$0.payload.contains(Self.signatureName) })
                    }
                    #expect(try await stores.metadata.application(id: approved.id)?.status == .approved)
                    #expect(try await stores.metadata.documents(applicationId: approved.id).allSatisfy { $0.quarantinedAt == nil })

                    // A reviewer never gets the bytes, not even by HEAD; the other document still downloads.
                    let documentURL = server.baseURL + "/api/v1/review/applications/\(underReview.id)/documents/"
                    let refused = try await Curl.run(["-H", "Authorization: Bearer \(reviewToken)", documentURL + "opening_notification"])
                    #expect(refused.status == 409 && refused.json["code"] as? String == "quarantined", "\(refused.text)")
                    let head = try await Curl.run(["-I", "-H", "Authorization: Bearer \(reviewToken)", documentURL + "opening_notification"])
                    #expect(head.status == 409)
                    let permit = try await Curl.run(["-H", "Authorization: Bearer \(reviewToken)", documentURL + "opening_permit"])
                    #expect(permit.status == 200)

                    // The applicant is asked for a new file, and told why, never which signature.
                    let applicant = ["-H", "Authorization: Bearer \(submitted.token)"]
                    let view = try await Curl.run(applicant + [server.baseURL + "/api/v1/applications/\(submitted.id)"])
                    let documents = view.json["documents"] as? [[String: Any]] ?? []
                    #expect(documents.contains { $0["slot"] as? String == "opening_notification" && $0["quarantined_at"] != nil })
                    let history = view.json["history"] as? [[String: Any]] ?? []
                    #expect(history.last?["event"] as? String == "returned")
                    #expect((history.last?["reason"] as? String)?.contains("ウイルス") == true)
                    #expect(!view.text.contains(Self.signatureName) && !view.text.contains("quarantine\""), "\(view.text)")

                    let resubmit = [
                        "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"confirm_unchanged":true}"#,
                        server.baseURL + "/api/v1/applications/\(submitted.id)/resubmit",
                    ]
                    let early = try await Curl.run(applicant + resubmit)
                    #expect(early.status == 409 && early.json["code"] as? String == "quarantined", "\(early.text)")
                    #expect(early.fieldCodes == ["opening_notification": "quarantined"])

                    let replaced = try await Curl.run(
                        applicant + [
                            "-X", "PUT", "-F", "opening_notification=@\(samples.cleanPDF)",
                            server.baseURL + "/api/v1/applications/\(submitted.id)/documents/opening_notification",
                        ])
                    #expect(replaced.status == 200, "\(replaced.text)")
                    let resubmitted = try await Curl.run(applicant + resubmit)
                    #expect(resubmitted.status == 200 && resubmitted.json["status"] as? String == "submitted", "\(resubmitted.text)")

                    // Nothing new to find: what is quarantined is not scanned again, the replacement is clean.
                    let again = try await Program.run(binary, arguments)
                    #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
                    #expect(again.stdout.contains("Quarantined: 0 document(s)"), "\(again.stdout)")
                    let run = try #require(try await stores.metadata.lastJobRun(job: RescanJob.name))
                    #expect(run.outcome == "ok" && run.actor.hasPrefix("operator:"))
                }
            }
        }
    }

    /// Once at a time across servers: a lease in the database. Proven by the lease itself, not a
    /// race: a run that finds another holder's live lease scans nothing; an expired one is taken over.
    @Test func oneRescanAtATimeAcrossServersAndTheServerRunsItOnItsOwn() async throws {
        try await AntivirusTests.withSamples { samples in
            try await ClamdProcess.with { clamd in
                let marker = Self.marker()
                try await clamd.addSignature(name: Self.signatureName, matching: marker)
                let client = ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(30))
                let directory = samples.directory + "/data"
                // Stored while clamd was off for intake: the rescan is what finds it.
                let id = try await TestServer.with(dataDirectory: directory) { server in
                    try await submit(server, notification: try Self.markedPDF(marker, in: samples.directory)).id
                }
                let stores = try await TestBackend.stores(directory)
                let job = RescanJob(blobs: stores.blobs, metadata: stores.metadata, clamd: client)
                let now = Date()
                await #expect(
                    try stores.metadata.acquireJobLease(
                        job: RescanJob.name, holder: "other-server", now: now,
                        expiresAt: now.addingTimeInterval(600)))
                await #expect(throws: RescanError.self) {
                    try await job.run(by: .person("ops"), logger: .init(label: "test"))
                }
                #expect(try await stores.metadata.documents(applicationId: id).allSatisfy { $0.quarantinedAt == nil })
                #expect(try await stores.metadata.lastJobRun(job: RescanJob.name) == nil, "a refused run scans and records nothing")
                #expect(try await stores.metadata.jobLease(job: RescanJob.name)?.holder == "other-server", "and leaves the lease alone")

                // The other server died: its lease runs out, and the server's own schedule takes over.
                await #expect(
                    try stores.metadata.acquireJobLease(
                        job: RescanJob.name, holder: "other-server", now: now,
                        expiresAt: now.addingTimeInterval(-1)))
                try await TestServer.with(dataDirectory: directory, antivirus: client, rescanInterval: .seconds(1)) { server in
                    let metadata = try await server.stores().metadata
                    var waited = 0
                    while try await metadata.lastJobRun(job: RescanJob.name) == nil, waited < 300 {
                        try await Task.sleep(for: .milliseconds(100))
                        waited += 1
                    }
                    let run = try #require(try await metadata.lastJobRun(job: RescanJob.name), "the server ran the rescan")
                    #expect(run.actor == "system" && run.outcome == "problems")
                    #expect(try await metadata.documents(applicationId: id).contains { $0.quarantinedAt != nil })
                    #expect(try await metadata.application(id: id)?.status == .returned)
                    // In a cluster another server's next run may hold it for a moment. On one server, no
                    // wait: the next run (a second later) would reset the last run's gauge read below.
                    if TestCluster.size > 1 {
                        for _ in 0..<50 where try await metadata.jobLease(job: RescanJob.name) != nil {
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    #expect(try await metadata.jobLease(job: RescanJob.name) == nil, "released at the end of the run")
                    let metrics = try await Curl.run(["http://127.0.0.1:\(server.metricsPort)/metrics"])
                    #expect(metrics.text.contains("docintake_documents_quarantined_total 1"), "\(metrics.text)")
                    // The last run's own count: in a cluster, another server's later run found nothing new.
                    if TestCluster.size == 1 { #expect(metrics.text.contains("docintake_rescan_documents_quarantined 1")) }
                }
            }
        }
    }
}
