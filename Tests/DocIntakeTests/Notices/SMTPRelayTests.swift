import Foundation
import Storage
import Testing

@testable import DocIntake

/// The supported mail path for a server without a local MTA: `--sendmail /usr/bin/msmtp`
/// (Debian's msmtp, a sendmail-compatible relay client) handing each notice to the agency's SMTP
/// server, here aiosmtpd (PyPI) on loopback storing what it receives in a Maildir.
@Suite(.serialized) struct SMTPRelayTests {
    @Test func everyNoticeArrivesThroughMsmtpOnceWithItsJapaneseSubject() async throws {
        let msmtp = "/usr/bin/msmtp"
        try #require(FileManager.default.isExecutableFile(atPath: msmtp), "install Debian's msmtp (.ci/run does)")
        let scratch = NSTemporaryDirectory() + "docintake-smtp-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch + "/home", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let smtpPort = try Loopback.freePort()
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sink.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(smtpPort)", "-c", "aiosmtpd.handlers.Mailbox", scratch + "/maildir"]
        sink.standardOutput = FileHandle.nullDevice
        sink.standardError = FileHandle.nullDevice
        try sink.run()
        try ParentWatch.start(sink, directory: scratch)
        defer {
            // SIGKILL: the child may inherit a mask that blocks SIGTERM; the Maildir is all it leaves.
            kill(sink.processIdentifier, SIGKILL)
            sink.waitUntilExit()
        }
        try await Loopback.waitForListener(smtpPort)

        // What an operator puts in /etc/msmtprc, here in the server's $HOME/.msmtprc.
        let configuration = """
            defaults
            auth off
            tls off
            syslog off
            account agency
            host 127.0.0.1
            port \(smtpPort)
            from no-reply@example.jp
            account default : agency

            """
        FileManager.default.createFile(
            atPath: scratch + "/home/.msmtprc", contents: Data(configuration.utf8),
            attributes: [.posixPermissions: 0o600])
        let server = try await ServerProcess(
            arguments: ["--sendmail", msmtp, "--mail-from", "no-reply@example.jp"],
            environment: ["HOME": scratch + "/home"])

        let reviewer = try await ReviewerAdmin(metadata: try Stores(dataDirectory: server.dataDirectory).metadata).add(name: "sato")
        let review = ["-H", "Authorization: Bearer \(reviewer)"]
        var expected: [String] = []
        for decision in [#"{"decision":"approve"}"#, #"{"decision":"return","reason":"不鮮明です"}"#, #"{"decision":"reject","reason":"対象外です"}"#] {
            let created = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                    "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                    "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", server.baseURL + "/api/v1/applications",
                ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let url = server.baseURL + "/api/v1/review/applications/\(id)"
            let claimed = try await Curl.run(review + ["-X", "POST", url + "/claim"])
            #expect(claimed.status == 200)
            let decided = try await Curl.run(review + ["-H", "Content-Type: application/json", "--data", decision, url + "/decision"])
            #expect(decided.status == 200, "\(decided.text)")
        }
        expected = [NoticeKind.submission, .submission, .submission, .approval, .return, .rejection].map(\.subject)

        let arrived = try await Self.maildirFiles(scratch + "/maildir/new", atLeast: expected.count)
        // Anything sent twice would arrive within the next poll or two.
        try await Task.sleep(for: .seconds(3))
        let settled = try await Self.maildirFiles(scratch + "/maildir/new", atLeast: 0)
        let serverLog = try server.log()
        #expect(settled.count == arrived.count && arrived.count == expected.count, "\(settled.count) messages arrived: \(serverLog)")
        let messages = try await EMLReader.read(settled)
        #expect(messages.compactMap { $0["subject"] as? String }.sorted() == expected.sorted())
        #expect(Set(messages.compactMap { $0["message_id"] as? String }).count == expected.count, "one Message-ID per notice")
        for message in messages {
            #expect(message["to"] as? String == "clinic@example.jp")
            #expect(message["from"] as? String == "no-reply@example.jp")
        }
    }

    /// The message files in a Maildir's `new/`, waiting up to 30 s for `count`.
    static func maildirFiles(_ directory: String, atLeast count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }
            if names.count >= count || ContinuousClock.now >= deadline { return names.sorted().map { directory + "/" + $0 } }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
