import Foundation
import Storage
import Testing

@testable import DocIntake

/// The operator's commands as a new user would try them: `docintake retention`, `hold` and
/// `scrub`, the real binary against the data directory of a running server.
@Suite struct RetentionCLITests {
    static func docintake(_ world: RetentionWorld, _ arguments: [String]) async throws -> Program.Result {
        try await Program.run(
            try Program.docintakeBinary(), arguments + ["--data-dir", world.server.dataDirectory],
            environment: ["USER": "tester"])
    }

    @Test func aNewUsersRetentionSessionWithHoldsDryRunRealRunAndScrub() async throws {
        try await RetentionWorld.with { world in
            let approved = try await world.submit()
            let rejected = try await world.submit()
            let returned = try await world.submit()
            let held = try await world.submit()
            let pending = try await world.submit()
            try await world.decide(approved, .approve, at: Date())
            try await world.decide(rejected, .reject, at: Date())
            try await world.decide(returned, .return, at: Date())
            try await world.decide(held, .approve, at: Date())

            let hold = try await Self.docintake(world, ["hold", "set", held, "--reason", "訴訟対応のため保全"])
            #expect(hold.status == 0, "\(hold.stderr)")
            let list = try await Self.docintake(world, ["hold", "list"])
            #expect(list.status == 0 && list.stdout.contains(held) && list.stdout.contains("訴訟対応のため保全"))
            #expect(list.stdout.contains("operator:tester"))

            // Years later, first as a dry run.
            let later = ["--now", "2040-01-01", "--grace-hours", "0"]
            let before = try await world.snapshot()
            let dry = try await Self.docintake(world, ["retention", "--dry-run", "--json"] + later)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(try await world.snapshot() == before, "the dry run changed something")
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
            #expect(plan["dry_run"] as? Bool == true)
            #expect(plan["operator_user"] as? String == "tester")
            let planned = try #require(plan["documents"] as? [[String: Any]])
            #expect(Set(planned.compactMap { $0["application_id"] as? String }) == [approved, rejected, returned])
            #expect(plan["documents_deleted"] as? [String: Int] == ["approved": 2, "rejected": 2, "withdrawn": 0, "returned": 2])
            #expect((plan["applications_held"] as? [[String: Any]])?.first?["application_id"] as? String == held)
            #expect(plan["blobs_deleted"] as? Int == 6)

            // Then for real.
            let run = try await Self.docintake(world, ["retention"] + later)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("Documents deleted: 6 (approved 2, rejected 2, withdrawn 0, returned 2)"), "\(run.stdout)")
            #expect(run.stdout.contains("Applications closed as withdrawn: 1"))
            #expect(run.stdout.contains("Blobs deleted: 6"))
            for id in [approved, rejected, returned] { #expect(try await world.documents(id).isEmpty) }
            for id in [held, pending] { #expect(try await world.documents(id).count == 2) }
            #expect(try await world.status(returned) == .withdrawn)
            let records = try await world.stores.metadata.deletionRecords(applicationId: nil)
            #expect(records.count == 6)
            #expect(records.allSatisfy { $0.operatorUser == "tester" && $0.actor == "operator:tester" })
            #expect(Set(planned.compactMap { $0["sha256"] as? String }) == Set(records.map(\.sha256)), "the dry run named these")

            let listed = try await Self.docintake(world, ["deletions", "--json"])
            #expect(listed.status == 0)
            let lines = listed.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.count == 6)
            #expect(Set(lines.compactMap { $0["rule"] as? String }) == ["approved", "rejected", "returned"])
            #expect(lines.allSatisfy { $0["operator_user"] as? String == "tester" && ($0["sha256"] as? String)?.count == 64 })
            let one = try await Self.docintake(world, ["deletions", "--application", returned])
            #expect(one.stdout.split(separator: "\n").count == 3, "a header and the returned application's two documents")
            #expect(one.stdout.contains("opening_permit") && one.stdout.contains("returned"))

            let scrub = try await Self.docintake(world, ["scrub"])
            #expect(scrub.status == 0, "\(scrub.stdout)\(scrub.stderr)")
            #expect(scrub.stdout.contains("Scrub: 4 blobs") && scrub.stdout.contains("The store is clean."))

            let again = try await Self.docintake(world, ["retention", "--json"] + later)
            #expect(again.status == 0)
            let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
            #expect((second["documents"] as? [Any])?.isEmpty == true && second["blobs_deleted"] as? Int == 0)

            let clear = try await Self.docintake(world, ["hold", "clear", held])
            #expect(clear.status == 0, "\(clear.stderr)")
            let released = try await Self.docintake(world, ["retention"] + later)
            #expect(released.stdout.contains("Documents deleted: 2 (approved 2, rejected 0, withdrawn 0, returned 0)"), "\(released.stdout)")
            #expect(try await world.documents(held).isEmpty)
        }
    }

    // Its blob that cannot be deleted is a directory in the blob directory's place: the directory store's alone.
    @Test(.enabled(if: !TestBackend.usesS3)) func failuresExitNonZero() async throws {
        try await RetentionWorld.with { world in
            let rejected = try await world.submit()
            try await world.decide(rejected, .reject, at: Date().addingTimeInterval(-400 * day))

            let badDate = try await Self.docintake(world, ["retention", "--now", "someday"])
            #expect(badDate.status == 64 && badDate.stderr.contains("--now"))
            let unknown = try await Self.docintake(world, ["hold", "clear", rejected])
            #expect(unknown.status != 0 && unknown.stderr.contains("not under legal hold"))
            let noReason = try await Self.docintake(world, ["hold", "set", rejected, "--reason", " "])
            #expect(noReason.status != 0)

            // A blob that cannot be deleted (here a directory where its file should be; root can
            // delete any file) makes the step fail: the run goes on, reports it, and exits 1.
            let sha = try await #require(try world.documents(rejected).first?.blobSha256)
            let path = try world.blobPath(sha)
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let failed = try await Self.docintake(world, ["retention", "--grace-hours", "0"])
            #expect(failed.status == 1, "\(failed.stdout)")
            #expect(failed.stdout.contains("Errors: 1"))
            #expect(failed.stdout.contains("Documents deleted: 2"), "the other steps still ran")

            let scrub = try await Self.docintake(world, ["scrub", "--json"])
            #expect(scrub.status == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(scrub.stdout.utf8)) as? [String: Any])
            #expect(report["clean"] as? Bool == false)
        }
    }
}
