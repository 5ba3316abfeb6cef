import Crypto
import Foundation
import Storage
import Testing
import _CryptoExtras

@testable import DocIntake

/// The 秘密の番号's hash needs the pepper file, which the database does not hold: a copy of the
/// database alone can no longer test the 10,000 candidates.
@Suite struct PepperTests {
    /// What someone holding only a copy of the database can do: take the rounds and salt stored
    /// with a hash and run PBKDF2 over every four-digit candidate. Returns those that match.
    static func candidatesConfirmed(by encoded: String) throws -> [String] {
        let fields = encoded.split(separator: "$").suffix(3).map(String.init)
        let rounds = try #require(Int(fields[0]))
        let salt = try #require(Data(base64Encoded: fields[1]))
        let stored = try #require(Data(base64Encoded: fields[2]))
        return try (0..<10_000).map { String(format: "%04d", $0) }.filter { candidate in
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(candidate.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
            return key.withUnsafeBytes { Data($0) } == stored
        }
    }

    /// A v1 hash of "4821" at 200 rounds, made by Python's hashlib (not by this code):
    /// `hashlib.pbkdf2_hmac('sha256', b'4821', bytes(range(16)), 200, 32)`.
    static let v1 = "pbkdf2-sha256$200$AAECAwQFBgcICQoLDA0ODw==$sxojvRw93pLAj0Z9oy2C/XvRcanjRytguf7WvebomAo="

    @Test func aCopyOfTheDatabaseAloneConfirmsNoGuess() async throws {
        // Few rounds, so that trying all 10,000 candidates takes seconds: the pepper, not the KDF's cost, is under test.
        try await TestServer.with(secretHashRounds: 200) { server in
            let created = try await server.submitWorkplaceClinic()
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let copy = NSTemporaryDirectory() + "docintake-dump-" + UUID().uuidString + ".sqlite"
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let backup = try await Program.run("/usr/bin/sqlite3", [server.dataDirectory + "/docintake.sqlite", ".backup '\(copy)'"])
            #expect(backup.status == 0, "\(backup.stderr)")
            let query = try await Program.run("/usr/bin/sqlite3", [copy, "SELECT secretNumberHash FROM applications WHERE id = '\(id)';"])
            let stolen = query.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try server.secretHasher().verify(SecretNumber(digits: "4821"), against: stolen), "the copy holds the secret's hash")

            #expect(try Self.candidatesConfirmed(by: stolen).isEmpty, "PBKDF2 alone confirms no candidate")
            let anyOtherPepper = SecretHasher(pepper: .random())
            let guessed = try (0..<10_000).map { SecretNumber(digits: String(format: "%04d", $0)) }.filter {
                try anyOtherPepper.verify($0, against: stolen)
            }
            #expect(guessed.isEmpty, "nor does the full check with a pepper of one's own")
            let pepper = try Data(contentsOf: URL(fileURLWithPath: server.dataDirectory + "/pepper"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)).range(of: pepper) == nil, "the database does not hold the pepper")

            // The same attack on a hash from before the pepper finds the secret: the test can fail.
            #expect(try Self.candidatesConfirmed(by: Self.v1) == ["4821"])
        }
    }

    @Test func theDefaultPepperFileIsCreatedOnceAndKeptAcrossRestarts() async throws {
        let data = NSTemporaryDirectory() + "docintake-pepper-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        let path = data + "/pepper"
        let first = try await ServerProcess(dataDirectory: data)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let pepper = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(pepper.count == 32)
        let before = try await Self.submit(to: first.port)
        first.stop()

        let second = try await ServerProcess(dataDirectory: data)
        defer { second.stop() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == pepper, "reused, not replaced")
        let after = try await Self.submit(to: second.port)
        let hasher = SecretHasher(pepper: try Pepper.load(path: path, create: false))
        let stores = try Stores(dataDirectory: data)
        for id in [before, after] {
            let record = try await #require(try stores.metadata.application(id: id))
            #expect(try hasher.verify(SecretNumber(digits: "4821"), against: record.secretNumberHash), "\(id)")
            #expect(try !hasher.verify(SecretNumber(digits: "4822"), against: record.secretNumberHash), "\(id)")
        }
        let log = try first.log() + second.log()
        #expect(!log.contains(pepper.base64EncodedString()) && !log.contains(pepper.map { String(format: "%02x", $0) }.joined()))
    }

    @Test func aPepperFileOthersCanReadOrOfTheWrongLengthIsRefused() async throws {
        let data = NSTemporaryDirectory() + "docintake-pepper-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let path = data + "/pepper"
        let pepper = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        try pepper.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let open = try await Self.serve(["--data-dir", data])
        #expect(open.status != 0 && open.status != 124, "\(open.status) \(open.stderr)")
        #expect(open.stderr.contains("Error: pepper file \(path) is readable by others (mode 644); run chmod 600"), "\(open.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == pepper, "left as it was, not replaced")

        try Data(pepper.prefix(16)).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let short = try await Self.serve(["--data-dir", data])
        #expect(short.status != 0 && short.status != 124 && short.stderr.contains("holds 16 bytes, not 32"), "\(short.stderr)")
    }

    @Test func serversShareAnExplicitPepperFileWhichMustExist() async throws {
        let scratch = NSTemporaryDirectory() + "docintake-pepper-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let shared = scratch + "/shared-pepper"
        let missing = try await Self.serve(["--data-dir", scratch + "/a", "--pepper-file", shared])
        #expect(missing.status != 0 && missing.status != 124 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: shared), "a named file is never made up: the other servers would not have it")

        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: shared))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: shared)
        let hasher = SecretHasher(pepper: try Pepper.load(path: shared, create: false))
        for name in ["a", "b"] {
            let server = try await ServerProcess(arguments: ["--pepper-file", shared], dataDirectory: scratch + "/" + name)
            let id = try await Self.submit(to: server.port)
            server.stop()
            let record = try await #require(try Stores(dataDirectory: server.dataDirectory).metadata.application(id: id))
            #expect(try hasher.verify(SecretNumber(digits: "4821"), against: record.secretNumberHash), "server \(name)")
            #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/pepper"))
        }
    }

    /// `docintake serve` expected to stop at start-up; `timeout` makes a server that starts anyway fail with 124.
    static func serve(_ arguments: [String]) async throws -> Program.Result {
        try await Program.run(
            "/usr/bin/timeout", ["10", try Program.docintakeBinary(), "serve", "--port", "0", "--metrics-address", "none"] + arguments)
    }

    /// A 職域診療所 application whose 秘密の番号 is 4821; returns its id.
    static func submit(to port: Int) async throws -> String {
        let created = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))", "http://127.0.0.1:\(port)/api/v1/applications",
            ])
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }
}
