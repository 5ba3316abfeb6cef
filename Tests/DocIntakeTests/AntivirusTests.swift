import Antivirus
import Foundation
import Storage
import Testing

@testable import DocIntake

/// Every document passes a real clamd on its way in, on every path, and nothing is stored that
/// clamd has not passed: not when it finds something, not when it is down or dies mid-scan.
@Suite(.serialized) struct AntivirusTests {
    /// Test files made at test time in `directory`: real documents carrying the EICAR string.
    struct Samples {
        let directory: String
        var cleanPDF: String { Fixtures.path("tiny-reportlab.pdf") }

        /// A real PDF with the EICAR string in a comment line after its header: valid for the
        /// Scanner, found by clamd's scan of the raw bytes.
        func infectedPDF() throws -> String {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: cleanPDF))
            let header = try #require(bytes.firstIndex(of: 0x0A))
            bytes.insert(contentsOf: Data("%".utf8) + ClamdProcess.eicar + Data("\n".utf8), at: header + 1)
            let path = directory + "/permit-with-eicar.pdf"
            try bytes.write(to: URL(fileURLWithPath: path))
            return path
        }

        /// A real workbook with one more (deflated) entry holding the EICAR string: clamd unpacks ZIP.
        func infectedXLSX() async throws -> String {
            let eicar = directory + "/eicar.bin"
            let path = directory + "/book-with-eicar.xlsx"
            try ClamdProcess.eicar.write(to: URL(fileURLWithPath: eicar))
            try FileManager.default.copyItem(atPath: Fixtures.path("permit-openpyxl.xlsx"), toPath: path)
            let script = "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'a', zipfile.ZIP_DEFLATED).write(sys.argv[2], 'xl/media/notes.txt')"
            let result = try await Program.run("/usr/bin/env", ["python3", "-c", script, path, eicar])
            guard result.status == 0 else { throw TestFailure("python3 zipfile: \(result.stderr)") }
            return path
        }

        /// The EICAR string alone, named .pdf.
        func eicarNamedPDF() throws -> String {
            let path = directory + "/eicar.pdf"
            try ClamdProcess.eicar.write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func withSamples<T: Sendable>(_ body: (Samples) async throws -> T) async throws -> T {
        let directory = NSTemporaryDirectory() + "docintake-av-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(Samples(directory: directory))
    }

    func submit(_ server: TestServer, notification: String, permit: String = Fixtures.path("scan-pillow.png")) async throws -> Curl.Result {
        try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(notification)", "-F", "opening_permit=@\(permit)", server.baseURL + "/api/v1/applications",
            ])
    }

    func applicationCount(_ server: TestServer) async throws -> Int {
        try await server.stores().metadata.applications(statuses: nil, after: nil, limit: 1000).count
    }

    @Test func everyPathRefusesWhatClamdFindsAndStoresWhatItPasses() async throws {
        try await Self.withSamples { samples in
            try await ClamdProcess.with { clamd in
                let antivirus = ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(30))
                try await TestServer.with(antivirus: antivirus) { server in
                    let clean = try await submit(server, notification: samples.cleanPDF)
                    #expect(clean.status == 201, "clean fixtures pass: \(clean.text)")

                    for infected in [try samples.infectedPDF(), try await samples.infectedXLSX()] {
                        let refused = try await submit(server, notification: infected)
                        #expect(refused.status == 422, "\(infected): \(refused.text)")
                        #expect(refused.json["code"] as? String == "infected")
                        #expect(refused.fieldCodes == ["opening_notification": "infected"])
                        #expect(!refused.text.contains("EICAR"), "the signature's name is not the applicant's to read")
                    }
                    // Not even offered to clamd: the prefix stage refuses it first.
                    let renamed = try await submit(server, notification: try samples.eicarNamedPDF())
                    #expect(renamed.status == 415)
                    #expect(try await applicationCount(server) == 1)
                    #expect(try server.tempFiles().isEmpty)

                    // Replacing a document on a returned application is scanned too.
                    let id = try #require(clean.json["id"] as? String)
                    let token = try #require(clean.json["access_token"] as? String)
                    let stores = try await server.stores()
                    let reviewer = ReviewService(blobs: stores.blobs, metadata: stores.metadata)
                    _ = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
                    let sato = try #require(try await stores.metadata.reviewers().first)
                    _ = try await reviewer.claim(id, by: sato)
                    _ = try await reviewer.decide(id, decision: .return, reason: "差し替えてください", by: sato)
                    let replace = try await Curl.run([
                        "-H", "Authorization: Bearer \(token)", "-X", "PUT", "-F", "opening_permit=@\(try samples.infectedPDF())",
                        server.baseURL + "/api/v1/applications/\(id)/documents/opening_permit",
                    ])
                    #expect(replace.status == 422, "\(replace.text)")
                    #expect(replace.json["code"] as? String == "infected")
                    #expect(try await stores.metadata.documents(applicationId: id).filter { $0.slot == .openingPermit }.count == 1)

                    // The operator sees the signature: in the metrics (and the log).
                    let metrics = try await Curl.run(["http://127.0.0.1:\(server.metricsPort)/metrics"])
                    #expect(
                        metrics.text.contains("docintake_antivirus_found_total{signature=\"\(ClamdProcess.signature)\"} 3"),
                        "\(metrics.text.split(separator: "\n").filter { $0.contains("antivirus") })")

                    let ready = try await Curl.run([server.baseURL + "/readyz"])
                    #expect(ready.status == 200)
                    #expect((ready.json["checks"] as? [String: String]) == ["database": "ok", "blob_store": "ok", "clamd": "ok"])

                    // `identify --clamd` judges a file as an upload of it would be judged.
                    let binary = try Program.docintakeBinary()
                    let found = try await Program.run(binary, ["identify", "--clamd", "unix:\(clamd.socketPath)", try samples.infectedPDF()])
                    #expect(found.status == 1)
                    #expect(found.stdout.contains("infected") && found.stdout.contains(ClamdProcess.signature), "\(found.stdout)")
                    let passed = try await Program.run(binary, ["identify", "--clamd", "unix:\(clamd.socketPath)", samples.cleanPDF])
                    #expect(passed.status == 0, "\(passed.stdout)")
                    #expect(passed.stdout.contains("clamd: OK"))
                }
            }
        }
    }

    @Test func aLargeCleanDocumentIsScannedAndAccepted() async throws {
        try await Self.withSamples { samples in
            try await ClamdProcess.with { clamd in
                try await TestServer.with(antivirus: ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(60))) { server in
                    // Just under the cap: over clamd's default StreamMaxLength (25 MB), within the test's.
                    let large = try StoreAudit.pdf(in: samples.directory, tag: "large", size: 100 * 1024 * 1024 - 4096)
                    let result = try await submit(server, notification: large.path)
                    #expect(result.status == 201, "\(result.text)")
                    let documents = result.json["documents"] as? [[String: Any]] ?? []
                    #expect(documents.contains { $0["sha256"] as? String == large.sha256 })
                }
            }
        }
    }

    /// clamd counts what it unpacks. With the limits docs/antivirus.md gives, a workbook whose one
    /// sheet inflates to 300 MB (as a 40 MB spreadsheet from openpyxl does) is scanned whole and
    /// passes; with the 220M scan limit the docs gave before, AlertExceedsMax refused it as malware.
    @Test func clamdsLimitsScanAWorkbookThatUnpacksToHundredsOfMegabytes() async throws {
        try await Self.withSamples { samples in
            let path = samples.directory + "/large-sheet.xlsx"
            let script = """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as book:
                    with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                        sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
                        written, row = 0, 0
                        while written < 300 * 1024 * 1024:
                            rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 100003}</v></c><c r="B{r}" t="s"><v>{r % 977}</v></c></row>'
                                           for r in range(row, row + 10000)).encode()
                            sheet.write(rows)
                            written += len(rows)
                            row += 10000
                        sheet.write(b"</sheetData></worksheet>")
                """
            let made = try await Program.run("/usr/bin/env", ["python3", "-c", script, path])
            guard made.status == 0 else { throw TestFailure("python3 zipfile: \(made.stderr)") }
            try await ClamdProcess.with { clamd in
                let verdict = try await ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(120)).scan(fileAt: path)
                #expect(verdict == .clean)
            }
        }
    }

    @Test func clamdDownMeans503AndNothingStoredThenRecoveryWithoutARestart() async throws {
        try await Self.withSamples { samples in
            try await ClamdProcess.with { clamd in
                clamd.kill()
                try await TestServer.with(antivirus: ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(5))) { server in
                    let refused = try await submit(server, notification: samples.cleanPDF)
                    #expect(refused.status == 503, "\(refused.text)")
                    #expect(refused.json["code"] as? String == "scanner_unavailable")
                    #expect(refused.headers.lowercased().contains("retry-after: 30"))
                    #expect(try await applicationCount(server) == 0)
                    #expect(try server.tempFiles().isEmpty)
                    let notReady = try await Curl.run([server.baseURL + "/readyz"])
                    #expect(notReady.status == 503)
                    #expect((notReady.json["checks"] as? [String: String])?["clamd"] == "unavailable")

                    try await offPool { try clamd.start() }
                    let accepted = try await submit(server, notification: samples.cleanPDF)
                    #expect(accepted.status == 201, "the server recovers by itself: \(accepted.text)")
                }
            }
        }
    }

    @Test func aClamdThatHangsFailsUploadsClosedWithoutHoldingTheServer() async throws {
        try await Self.withSamples { samples in
            // A "clamd" that accepts every connection and never reads a byte.
            let socketPath = samples.directory + "/hung.sock"
            let listener = Process()
            listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            listener.arguments = [
                "python3", "-c",
                """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(64); held = []
                while True: held.append(s.accept())
                """, socketPath,
            ]
            try listener.run()
            defer {
                // SIGKILL: this process ignores SIGTERM (ServiceLifecycle's signal handling), and a
                // child inherits an ignored signal.
                kill(listener.processIdentifier, SIGKILL)
                listener.waitUntilExit()
            }
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: socketPath) && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }

            try await TestServer.with(antivirus: ClamdClient(endpoint: .unix(path: socketPath), timeout: .seconds(8))) { server in
                let large = try StoreAudit.pdf(in: samples.directory, tag: "hung", size: 4 * 1024 * 1024)
                async let first = submit(server, notification: large.path)
                async let second = submit(server, notification: large.path)
                // Both uploads now wait on clamd; the server must go on answering meanwhile.
                var probes = 0
                while (try server.tempFiles()).count < 2 && probes < 500 {
                    try await Task.sleep(for: .milliseconds(20))
                    probes += 1
                }
                for _ in 0..<3 {
                    let health = try await Curl.run(["--max-time", "3", server.baseURL + "/healthz"])
                    #expect(health.status == 200, "the server stopped answering while clamd hung")
                    try await Task.sleep(for: .seconds(1))
                }
                for result in [try await first, try await second] {
                    #expect(result.status == 503, "\(result.text)")
                    #expect(result.json["code"] as? String == "scanner_unavailable")
                }
                #expect(try await applicationCount(server) == 0)
                #expect(try server.tempFiles().isEmpty)
            }
        }
    }

    @Test func clamdKilledInTheMiddleOfAnUploadFailsItClosed() async throws {
        try await Self.withSamples { samples in
            try await ClamdProcess.with { clamd in
                try await TestServer.with(antivirus: ClamdClient(endpoint: clamd.endpoint, timeout: .seconds(10))) { server in
                    let large = try StoreAudit.pdf(in: samples.directory, tag: "slow", size: 8 * 1024 * 1024)
                    async let upload = Curl.run(
                        ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                            "--limit-rate", "2M", "-F", "opening_notification=@\(large.path)",
                            "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", server.baseURL + "/api/v1/applications",
                        ])
                    // The upload is in flight once its temp file exists; clamd is then holding a stream.
                    let deadline = Date().addingTimeInterval(20)
                    while (try server.tempFiles()).isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                    #expect(try !server.tempFiles().isEmpty, "the upload never started")
                    try await offPool { clamd.kill() }
                    let result = try await upload
                    #expect(result.status == 503, "\(result.text)")
                    #expect(result.json["code"] as? String == "scanner_unavailable")
                    #expect(try await applicationCount(server) == 0)
                    #expect(try server.tempFiles().isEmpty)
                }
            }
        }
    }
}
