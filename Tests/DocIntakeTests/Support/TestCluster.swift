import Foundation
import Storage

@testable import DocIntake

/// `DOCINTAKE_TEST_CLUSTER=N` runs every `TestServer` as N servers sharing one PostgreSQL database
/// and one bucket (so it needs `DOCINTAKE_TEST_BACKEND=postgres` and `DOCINTAKE_TEST_BLOB_STORE=s3`
/// too) behind nginx with round robin: the end-to-end suites then run through the balancer, each
/// request on the next server. Each server has its own data directory, for its staging and its
/// `serve.lock`, as it would on its own machine; they share what a deployment shares on purpose:
/// the pepper file (`--pepper-file`) and, standing in for a shared mount, the file outbox.
enum TestCluster {
    static let size = max(1, Int(ProcessInfo.processInfo.environment["DOCINTAKE_TEST_CLUSTER"] ?? "") ?? 1)

    /// `directory` for the first server, then one of its own for each other server, inside it.
    static func nodeDirectories(of directory: String) -> [String] {
        [directory] + (1..<max(size, 1)).map { directory + "/cluster/node\($0)" }
    }

    /// Gives the servers on `others` the database, bucket, pepper and outbox of `directory`.
    static func share(_ directory: String, with others: some Collection<String>, configuration: inout ServerConfiguration) async throws {
        guard let database = try await TestBackend.databaseText(for: directory), let bucket = configuration.blobStore else {
            throw TestFailure("DOCINTAKE_TEST_CLUSTER needs DOCINTAKE_TEST_BACKEND=postgres and DOCINTAKE_TEST_BLOB_STORE=s3")
        }
        let files = FileManager.default
        try files.createDirectory(atPath: directory + "/outbox", withIntermediateDirectories: true)
        if configuration.pepperFile == nil {
            _ = try Pepper.load(path: directory + "/pepper", create: true)
            configuration.pepperFile = directory + "/pepper"
        }
        for node in others {
            try files.createDirectory(atPath: node, withIntermediateDirectories: true)
            if !files.fileExists(atPath: node + "/outbox") {
                try files.createSymbolicLink(atPath: node + "/outbox", withDestinationPath: directory + "/outbox")
            }
            TestBackend.register(database, for: node)
            TestBackend.register(bucket, environment: TestBackend.environment(for: directory), for: node)
        }
    }
}
