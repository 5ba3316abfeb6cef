import Foundation
import Storage
import Testing

@testable import DocIntake

/// The operator's commands of the real `docintake` binary that no other suite runs: `identify`,
/// `notices [--deliver]`, `reviewer add|list|revoke`, and the settings of `serve` (its flags for
/// mail and retention, and the environment variables the README documents).
@Suite struct OperatorCLITests {
    static func docintake(_ arguments: [String], environment: [String: String] = [:]) async throws -> Program.Result {
        try await Program.run(try Program.docintakeBinary(), arguments, environment: environment)
    }

    // MARK: identify

    /// Every fixture, judged as `Fixtures/uploads/manifest.json` says (its verdicts were made
    /// independently of the Scanner); any rejection makes the exit status 1.
    @Test func identifyJudgesEachFixtureAsTheManifestSays() async throws {
        let manifest = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: Fixtures.uploads + "/manifest.json"))) as? [[String: Any]])
        let paths = manifest.compactMap { $0["file"] as? String }.map(Fixtures.path)
        let result = try await Self.docintake(["identify", "--json"] + paths)
        #expect(result.status == 1, "some fixtures are rejected: \(result.stderr)")
        let rows = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(rows.count == manifest.count, "one line per file: \(result.stdout)")
        for (row, expected) in zip(rows, manifest) {
            let file = expected["file"] as? String ?? "?"
            #expect(row["file"] as? String == Fixtures.path(file))
            #expect(row["accepted"] as? Bool == expected["accepted"] as? Bool, "\(file): \(row)")
            if expected["accepted"] as? Bool == true {
                #expect(row["type"] as? String == expected["type"] as? String, "\(file): \(row)")
                #expect(row["reason"] is NSNull, "\(file): \(row)")
            } else {
                #expect(row["reason"] as? String == expected["reason"] as? String, "\(file): \(row)")
                #expect(row["type"] is NSNull, "\(file): \(row)")
            }
        }
    }

    @Test func identifyExitsZeroOnlyWhenEveryFileIsAccepted() async throws {
        let accepted = try await Self.docintake(["identify", Fixtures.path("tiny-reportlab.pdf"), Fixtures.path("scan-pillow.png")])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        let lines = accepted.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("FILE") == true && lines.first?.contains("VERDICT") == true, "\(accepted.stdout)")
        #expect(lines.contains { $0.contains("tiny-reportlab.pdf") && $0.contains("accepted pdf") }, "\(accepted.stdout)")
        #expect(lines.contains { $0.contains("scan-pillow.png") && $0.contains("accepted png") }, "\(accepted.stdout)")

        let mixed = try await Self.docintake(["identify", Fixtures.path("tiny-reportlab.pdf"), Fixtures.path("invoice.pdf")])
        #expect(mixed.status == 1, "\(mixed.stdout)\(mixed.stderr)")
        #expect(mixed.stdout.contains("rejected type_not_allowed"), "\(mixed.stdout)")
    }

    @Test func identifyExitsTwoOnAFileItCannotRead() async throws {
        let missing = NSTemporaryDirectory() + "no-such-file-" + UUID().uuidString + ".pdf"
        let result = try await Self.docintake(["identify", "--json", Fixtures.path("tiny-reportlab.pdf"), missing])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(row["file"] as? String == missing && row["accepted"] as? Bool == false, "\(row)")
        #expect((row["message"] as? String)?.hasPrefix("cannot read") == true, "\(row)")
    }

    @Test func identifyWithoutFilesIsAUsageError() async throws {
        let result = try await Self.docintake(["identify"])
        #expect(result.status == 64, "a usage error (EX_USAGE), not a verdict: \(result.status)")
        #expect(result.stderr.contains("Usage:"), "\(result.stderr)")
    }

    // MARK: reviewer

    @Test func reviewerAddListRevokeAsAnOperatorUsesThem() async throws {
        try await TestServer.with { server in
            let data = ["--data-dir", server.dataDirectory]
            let added = try await Self.docintake(["reviewer", "add", "sato"] + data)
            #expect(added.status == 0, "\(added.stderr)")
            let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("dir_"), "the token on stdout, alone: \(added.stdout)")
            #expect(added.stderr.contains("shown this once"))
            let listing = "\(server.baseURL)/api/v1/review/applications"
            #expect(try await Curl.run(["-H", "Authorization: Bearer \(token)", listing]).status == 200)

            let duplicate = try await Self.docintake(["reviewer", "add", "sato"] + data)
            #expect(duplicate.status != 0, "a second sato: \(duplicate.stdout)")

            let listed = try await Self.docintake(["reviewer", "list"] + data)
            #expect(listed.status == 0, "\(listed.stderr)")
            let row = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("sato ") }, "\(listed.stdout)")
            #expect(row.hasSuffix("active"), "\(row)")
            #expect(!listed.stdout.contains(token), "never the token")

            let revoked = try await Self.docintake(["reviewer", "revoke", "sato"] + data)
            #expect(revoked.status == 0 && revoked.stdout.contains("Reviewer 'sato' revoked."), "\(revoked.stdout)\(revoked.stderr)")
            #expect(
                try await Curl.run(["-H", "Authorization: Bearer \(token)", listing]).status == 401,
                "a revoked token is refused from the next request on")
            let after = try await Self.docintake(["reviewer", "list"] + data)
            let revokedRow = try #require(after.stdout.split(separator: "\n").first { $0.hasPrefix("sato ") }, "\(after.stdout)")
            #expect(revokedRow.contains("revoked 20"), "\(revokedRow)")

            let again = try await Self.docintake(["reviewer", "revoke", "sato"] + data)
            #expect(again.status != 0, "no active sato left to revoke: \(again.stdout)")
            #expect(again.stderr.contains("sato"), "\(again.stderr)")
        }
    }

    // MARK: notices

    /// A sendmail stand-in that keeps each message and its arguments in its own directory.
    static func recordingSendmail() throws -> (script: String, directory: String) {
        let directory = NSTemporaryDirectory() + "sendmail-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/sendmail"
        try """
        #!/bin/sh
        dir=$(dirname "$0")
        # Each file renamed into place, the message last: the tests poll for them and must never
        # read one half-written.
        cat > "$dir/.message-$$"
        printf '%s\\n' "$@" > "$dir/.arguments-$$" && mv "$dir/.arguments-$$" "$dir/arguments-$$"
        mv "$dir/.message-$$" "$dir/message-$$.eml"

        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return (script, directory)
    }

    static func arguments(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("arguments-") }.sorted()
            .map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }

    @Test func noticesListsWhatIsUndeliveredAndDeliverSendsIt() async throws {
        let sendmail = try Self.recordingSendmail()
        defer { try? FileManager.default.removeItem(atPath: sendmail.directory) }
        // The server's own deliverer runs once at start-up, then not for an hour: the notices
        // of the submissions below stay for the command.
        try await TestServer.with(notices: .noDeliveryInServer) { server in
            let data = ["--data-dir", server.dataDirectory]
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String, "\(created.text)")

            let pending = try await Self.docintake(["notices"] + data)
            #expect(pending.status == 0, "\(pending.stderr)")
            let row = try #require(pending.stdout.split(separator: "\n").first { $0.contains(id) }, "\(pending.stdout)")
            #expect(row.contains("submission"), "\(row)")
            #expect(!pending.stdout.contains("clinic@example.jp"), "never the recipient")

            let delivered = try await Self.docintake(
                [
                    "notices", "--deliver", "--sendmail", sendmail.script,
                    "--mail-from", "notices@example.jp",
                ] + data)
            #expect(delivered.status == 0, "\(delivered.stderr)")
            #expect(delivered.stdout.contains("delivered 1, failed 0"), "\(delivered.stdout)")
            #expect(!delivered.stdout.contains(id), "nothing left to list: \(delivered.stdout)")
            #expect(try Self.arguments(in: sendmail.directory) == ["-i\n-f\nnotices@example.jp\n--\nclinic@example.jp\n"])
            #expect(try await server.stores().metadata.notices(applicationId: id).first?.sentAt != nil)

            // Without --sendmail: an .eml file in <data>/outbox.
            let second = try await server.submitWorkplaceClinic()
            let secondId = try #require(second.json["id"] as? String)
            let written = try await Self.docintake(["notices", "--deliver"] + data)
            #expect(written.stdout.contains("delivered 1, failed 0"), "\(written.stdout)\(written.stderr)")
            let files = try await EMLReader.files(in: server.dataDirectory + "/outbox", atLeast: 1)
            let email = try #require(try await EMLReader.read(files).first)
            #expect(email["from"] as? String == "no-reply@localhost")
            #expect(try await server.stores().metadata.notices(applicationId: secondId).first?.sentAt != nil)

            let badSender = try await Self.docintake(["notices", "--deliver", "--mail-from", "not an address"] + data)
            #expect(badSender.status != 0 && badSender.stderr.contains("--mail-from"), "\(badSender.stderr)")
        }
    }

    // MARK: serve

    @Test func serveDeliversThroughTheSendmailAndSenderItIsGiven() async throws {
        let sendmail = try Self.recordingSendmail()
        defer { try? FileManager.default.removeItem(atPath: sendmail.directory) }
        let server = try await ServerProcess(arguments: ["--sendmail", sendmail.script, "--mail-from", "notices@example.jp"])
        let created = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
        #expect(created.status == 201, "\(created.text)")
        let deadline = ContinuousClock.now + .seconds(20)
        while try Self.arguments(in: sendmail.directory).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try Self.arguments(in: sendmail.directory) == ["-i\n-f\nnotices@example.jp\n--\nclinic@example.jp\n"])
        let outbox = (try? FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/outbox")) ?? []
        #expect(outbox.isEmpty, "piped, not written as a file: \(outbox)")
    }

    @Test func serveRunsRetentionAtTheIntervalItIsGiven() async throws {
        let server = try await ServerProcess(arguments: ["--retention-interval", "1s"])
        #expect(try server.log().contains("retention runs inside the server"))
        let stores = try Stores(dataDirectory: server.dataDirectory)
        _ = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
        let sato = try #require(try await stores.metadata.reviewers().first)
        let created = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", server.baseURL + "/api/v1/applications",
            ])
        let id = try #require(created.json["id"] as? String, "\(created.text)")
        // Rejected 400 days ago: past the policy's default for rejected applications.
        let review = ReviewService(blobs: stores.blobs, metadata: stores.metadata, clock: { Date().addingTimeInterval(-400 * 86400) })
        _ = try await review.claim(id, by: sato)
        _ = try await review.decide(id, decision: .reject, reason: "理由", by: sato)
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !stores.metadata.documents(applicationId: id).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await stores.metadata.documents(applicationId: id).isEmpty, "the server's own retention run deleted them")
        let records = try await stores.metadata.deletionRecords(applicationId: id)
        #expect(records.count == 2 && records.allSatisfy { $0.actor == "system" }, "\(records)")
    }

    /// The README's table of `serve` options, as (flag, environment variable) pairs.
    static func readmeSettings() throws -> [(flag: String, variable: String)] {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try #require(readme.components(separatedBy: "`docintake serve` options").dropFirst().first)
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst(3).prefix { $0.hasPrefix("|") }
        return table.flatMap { row in
            let cells = row.split(separator: "|").map { $0.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element) }
            let flags = cells[0].map { String($0.split(separator: " ")[0]) }.filter { $0.hasPrefix("--") }
            let variables = cells[1].map(String.init)
            return zip(flags, variables).map { ($0, $1) }
        }
    }

    /// A value each setting refuses (or cannot start with).
    static let refused = [
        "--data-dir": "/dev/null/data", "--host": "192.0.2.1", "--port": "70000", "--max-file-size": "0", "--log-level": "loud",
        "--mail-from": "not-an-address", "--sendmail": "/nonexistent/sendmail", "--header-timeout": "soon",
        "--idle-timeout": "soon", "--upload-timeout": "soon", "--min-upload-rate": "-1", "--rate-window": "soon",
        "--max-concurrent-uploads": "0", "--retention-interval": "soon", "--clamd": "clamd.example", "--clamd-timeout": "soon",
        "--rescan-interval": "soon",
        "--public-url": "ftp://docintake.example", "--contact": " ", "--max-image-side": "0", "--max-image-pixels": "0",
        "--metrics-address": "everywhere", "--trusted-proxy": "proxy.example", "--log-format": "xml",
        "--pepper-file": "/nonexistent/pepper", "--blob-store": "https://bucket.example",
    ]

    /// Each environment variable the README documents reaches its option: a value the option
    /// refuses stops `serve` with the same error through the variable as through the flag.
    @Test func everyDocumentedEnvironmentVariableActsAsItsFlag() async throws {
        let settings = try Self.readmeSettings() + [("--retention-interval", "DOCINTAKE_RETENTION_INTERVAL")]
        #expect(settings.count >= 14, "\(settings)")
        let scratch = NSTemporaryDirectory() + "docintake-env-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (flag, variable) in settings {
            let value = try #require(Self.refused[flag], "no refused value for \(flag): add one")
            // Everything else valid and harmless: its own data directory, a free port.
            var others = ["--data-dir", scratch + flag, "--port", "0"]
            if flag == "--data-dir" { others = ["--port", "0"] }
            if flag == "--port" { others = ["--data-dir", scratch + flag] }
            let viaFlag = try await Program.run("/usr/bin/timeout", ["10", try Program.docintakeBinary(), "serve"] + others + ["\(flag)=\(value)"])
            let viaVariable = try await Program.run(
                "/usr/bin/timeout", ["10", try Program.docintakeBinary(), "serve"] + others,
                environment: [variable: value])
            let error = { (result: Program.Result) in result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") } }
            #expect(
                viaFlag.status != 0 && viaFlag.status != 124 && !error(viaFlag).isEmpty,
                "\(flag) \(value) should stop serve: \(viaFlag.status) \(viaFlag.stderr)")
            #expect(
                viaVariable.status == viaFlag.status && error(viaVariable) == error(viaFlag),
                "\(variable)=\(value): \(viaVariable.status) \(viaVariable.stderr) vs \(flag): \(viaFlag.stderr)")
        }
    }

    /// And with good values, a server configured only through its environment uses them.
    @Test func serveTakesItsSettingsFromTheEnvironment() async throws {
        let sendmail = try Self.recordingSendmail()
        defer { try? FileManager.default.removeItem(atPath: sendmail.directory) }
        let data = NSTemporaryDirectory() + "docintake-env-data-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try await ServerProcess(environment: [
            "DOCINTAKE_DATA_DIR": data, "DOCINTAKE_PORT": "0", "DOCINTAKE_HOST": "127.0.0.1", "LOG_LEVEL": "notice",
            "DOCINTAKE_MAX_FILE_SIZE": "4096", "DOCINTAKE_MAIL_FROM": "env@example.jp", "DOCINTAKE_SENDMAIL": sendmail.script,
        ])
        #expect(FileManager.default.fileExists(atPath: data + "/docintake.sqlite"))
        #expect(server.port != 8080)
        let form = try await Curl.run([server.baseURL + "/"])
        #expect(form.text.contains(#"data-max-file-size="4096""#))
        let directory = NSTemporaryDirectory() + "docintake-env-docs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let big = try StoreAudit.pdf(in: directory, tag: "big", size: 8192)
        let tooBig = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(big.path)", server.baseURL + "/api/v1/applications",
            ])
        #expect(tooBig.status == 413 && tooBig.json["code"] as? String == "file_too_large", "\(tooBig.text)")
        let created = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
        #expect(created.status == 201, "\(created.text)")
        let deadline = ContinuousClock.now + .seconds(20)
        while try Self.arguments(in: sendmail.directory).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try Self.arguments(in: sendmail.directory) == ["-i\n-f\nenv@example.jp\n--\nclinic@example.jp\n"])
        // At `notice`, the per-request `info` lines are not logged.
        let log = try server.log()
        #expect(!log.contains("/api/v1/applications"), "\(log)")
    }
}
