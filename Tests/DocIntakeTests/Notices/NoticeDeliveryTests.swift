import Foundation
import Logging
import Storage
import Synchronization
import Testing

@testable import DocIntake

/// Notices leave the outbox: as `.eml` files by default, through a sendmail program when asked,
/// retried when delivery fails, and never twice.
@Suite struct NoticeDeliveryTests {
    static let secretNumber = ApplicationFields.workplaceClinic["secret_number"]!

    @Test func aSubmissionAndItsApprovalArriveAsEmlFilesInTheOutbox() async throws {
        try await TestServer.with { server in
            let created = try await server.submitWorkplaceClinic()
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let receipt = try #require(created.json["receipt_number"] as? String)
            let accessToken = try #require(created.json["access_token"] as? String)
            let outbox = server.dataDirectory + "/outbox"

            let first = try await EMLReader.files(in: outbox, atLeast: 1)
            try #require(first.count == 1, "the 受付 notice is written")
            let received = try #require(try await EMLReader.read(first).first)
            #expect(received["subject"] as? String == "オンライン資格確認申請受付のご案内")
            #expect(received["to"] as? String == "clinic@example.jp")
            #expect(received["from"] as? String == "no-reply@localhost")
            let body = try #require(received["body"] as? String)
            for line in [
                "受付番号: \(receipt)", "審査を行います", "申請区分: 新規", "医療機関等名: 株式会社テスト 健康管理室診療所",
                "お客さまID: CAF1234567890", "利用開始予定年月: 2027年4月", "電子証明書発行料の支払方法: 払込請求書による振込み",
                "・開設届の写し: tiny-reportlab.pdf", "・開設許可書の写し: scan-pillow.png",
            ] {
                #expect(body.contains(line), "missing \(line) in\n\(body)")
            }

            let reviewerToken = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let review = ["-H", "Authorization: Bearer \(reviewerToken)"]
            let claimed = try await Curl.run(review + ["-X", "POST", server.baseURL + "/api/v1/review/applications/\(id)/claim"])
            #expect(claimed.status == 200, "\(claimed.text)")
            let approved = try await Curl.run(
                review + [
                    "-H", "Content-Type: application/json", "--data", #"{"decision":"approve"}"#,
                    server.baseURL + "/api/v1/review/applications/\(id)/decision",
                ])
            #expect(approved.status == 200, "\(approved.text)")

            let both = try await EMLReader.files(in: outbox, atLeast: 2)
            try #require(both.count == 2, "the approval notice is written beside the first")
            let emails = try await EMLReader.read(both)
            let subjects = Set(emails.compactMap { $0["subject"] as? String })
            #expect(subjects == ["オンライン資格確認申請受付のご案内", "オンライン資格確認等システムマスタアカウント情報通知と運用開始日登録のご案内"])
            for email in emails {
                let decoded = email.values.map { "\($0)" }.joined(separator: "\n")
                #expect(!decoded.contains(Self.secretNumber), "never the 秘密の番号")
                #expect(!decoded.contains(accessToken), "never the applicant's token")
                #expect(!decoded.contains(reviewerToken), "never the reviewer's token")
            }
            for path in both {
                let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
                #expect(!raw.contains(accessToken) && !raw.contains(reviewerToken))
            }

            // The file is renamed into place before the row is marked sent; wait for the mark.
            let metadata = try await server.stores().metadata
            for _ in 0..<100 where try await !metadata.notices(applicationId: nil).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            let rows = try await metadata.notices(applicationId: id)
            #expect(rows.map(\.kind) == ["submission", "approval"])
            #expect(rows.allSatisfy { $0.sentAt != nil && $0.attempts == 1 && $0.lastError == nil })
            #expect(try await metadata.notices(applicationId: nil).isEmpty, "nothing left undelivered")
            let metrics = try await Curl.run([server.metricsURL])
            #expect(metrics.text.contains(#"docintake_notices_total{kind="approval",outcome="sent"}"#), "\(metrics.text)")
        }
    }

    @Test func aFailingSendmailIsRetriedAndTheNoticeIsDeliveredOnce() async throws {
        let mailer = NSTemporaryDirectory() + "sendmail-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mailer, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mailer) }
        // Fails the first time (EX_TEMPFAIL, as an MTA whose queue is unavailable), then keeps
        // each message and its arguments.
        let script = mailer + "/sendmail"
        try """
        #!/bin/sh
        dir=$(dirname "$0")
        if [ ! -e "$dir/failed-once" ]; then
          touch "$dir/failed-once"
          echo "451 queue unavailable for $*" >&2
          exit 75
        fi
        # Each file renamed into place, the message last: the tests poll for them and must never
        # read one half-written.
        cat > "$dir/.message-$$"
        printf '%s\\n' "$@" > "$dir/.arguments-$$" && mv "$dir/.arguments-$$" "$dir/arguments-$$"
        mv "$dir/.message-$$" "$dir/message-$$.eml"

        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)

        let notices = NoticeConfiguration(
            mailFrom: "notices@example.jp", sendmailPath: script,
            pollInterval: .milliseconds(100), firstRetryDelay: .milliseconds(300))
        try await TestServer.with(notices: notices) { server in
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let delivered = try await Self.files(in: mailer, prefix: "message-", atLeast: 1)
            // Several more polls: a notice once delivered is never picked up again.
            try await Task.sleep(for: .seconds(1))
            #expect(try Self.listFiles(in: mailer, prefix: "message-") == delivered)
            try #require(delivered.count == 1)
            #expect(FileManager.default.fileExists(atPath: mailer + "/failed-once"), "the first attempt did fail")

            let arguments = try #require(try Self.listFiles(in: mailer, prefix: "arguments-").first)
            #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "-i\n-f\nnotices@example.jp\n--\nclinic@example.jp\n")
            let email = try #require(try await EMLReader.read(delivered).first)
            #expect(email["subject"] as? String == "オンライン資格確認申請受付のご案内")
            #expect(email["from"] as? String == "notices@example.jp")
            #expect(!(email["body"] as? String ?? Self.secretNumber).contains(Self.secretNumber))

            let row = try await #require(try server.stores().metadata.notices(applicationId: id).first)
            #expect(row.attempts == 2)
            #expect(row.sentAt != nil)
            #expect(row.lastError == nil)
        }
    }

    @Test func aNoticeThatKeepsFailingStaysQueuedWithItsReason() async throws {
        let notices = NoticeConfiguration(
            sendmailPath: "/bin/false", pollInterval: .milliseconds(100),
            firstRetryDelay: .seconds(3600))
        try await TestServer.with(notices: notices) { server in
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let metadata = try await server.stores().metadata
            var row = try await #require(try metadata.notices(applicationId: id).first)
            // As long as a loaded machine may take; it ends as soon as the attempt is recorded.
            let deadline = ContinuousClock.now + .seconds(60)
            while row.lastError == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                row = try await #require(try metadata.notices(applicationId: id).first)
            }
            #expect(row.lastError == "sendmail exited with status 1")
            #expect(row.sentAt == nil)
            #expect(row.attempts == 1, "backed off: not retried within the hour")
            #expect(row.nextAttemptAt > Date().addingTimeInterval(3000))
            #expect(try await metadata.notices(applicationId: nil).map(\.id) == [row.id], "listed as undelivered")
        }
    }

    @Test func twoDeliverersOnOneDatabaseNeverSendTheSameNotice() async throws {
        // The server delivers nothing itself, leaving the notices to the two competing deliverers below.
        try await TestServer.with(notices: .noDeliveryInServer) { server in
            for _ in 0..<6 {
                let created = try await server.submitWorkplaceClinic()
                #expect(created.status == 201)
            }
            // Each transport's first delivery waits for the other's to begin: both deliverers then
            // hold a claim at the same moment, which is the contest the test is about.
            let rendezvous = Rendezvous(parties: 2)
            let transports = [RecordingTransport(rendezvous: rendezvous), RecordingTransport(rendezvous: rendezvous)]
            let metadata = try await server.stores().metadata
            let deliverers = try transports.map {
                try NoticeDeliverer(
                    metadata: metadata, transport: $0, configuration: NoticeConfiguration(),
                    logger: Logger(label: "test"), batchSize: 1)
            }
            async let first = deliverers[0].deliverDue()
            async let second = deliverers[1].deliverDue()
            // One notice per claim, so the two take turns at the write lock rather than one taking all.
            let rounds = try await [first, second]
            #expect(rounds.map(\.sent).reduce(0, +) == 6)
            let keys = transports.flatMap(\.keys)
            #expect(keys.count == 6)
            #expect(Set(keys).count == 6, "no notice went through both")
            #expect(rendezvous.met, "the two deliverers never held claims at the same time")
            #expect(transports.allSatisfy { !$0.keys.isEmpty }, "one deliverer sent everything: \(transports.map(\.keys.count))")
            #expect(try await server.stores().metadata.notices(applicationId: nil).isEmpty)
        }
    }

    static func files(in directory: String, prefix: String, atLeast count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(60)  // as EMLReader.files: it returns as soon as they are there
        while true {
            let found = try listFiles(in: directory, prefix: prefix)
            if found.count >= count || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func listFiles(in directory: String, prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(prefix) }.sorted().map { directory + "/" + $0 }
    }
}

/// A transport that keeps the keys of what it was given; with a rendezvous, its first delivery
/// waits there (on the deliverer's own thread) for the other transports' first deliveries.
final class RecordingTransport: NoticeTransport {
    private let delivered = Mutex<[String]>([])
    private let rendezvous: Rendezvous?
    var name: String { "recording" }
    var keys: [String] { delivered.withLock { $0 } }

    init(rendezvous: Rendezvous? = nil) { self.rendezvous = rendezvous }

    func deliver(_ message: MailMessage) throws {
        _ = try message.encoded()
        let first = delivered.withLock { $0.isEmpty }
        if first { rendezvous?.arrive() }
        delivered.withLock { $0.append(message.key) }
    }
}

/// Where `parties` threads wait for each other, for at most 10 s; `met` tells whether all came.
final class Rendezvous: Sendable {
    private let arrived = Atomic<Int>(0)
    private let parties: Int
    init(parties: Int) { self.parties = parties }

    var met: Bool { arrived.load(ordering: .acquiring) >= parties }

    func arrive() {
        arrived.add(1, ordering: .releasing)
        let deadline = ContinuousClock.now + .seconds(10)
        while !met && ContinuousClock.now < deadline { usleep(1000) }
    }
}
