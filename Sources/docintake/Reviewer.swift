import ArgumentParser
import DisplayText
import DocIntake
import Foundation
import Storage

struct Reviewer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the agency reviewers who may use the review API.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a reviewer and print its token once.")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The reviewer's name, as it appears in the audit log.") var name: String

        func run() async throws {
            let token = try await ReviewerAdmin(metadata: try await data.metadata()).add(name: name)
            FileHandle.standardError.write(Data("Reviewer '\(name)' created. Its token is shown this once; store it safely:\n".utf8))
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reviewers (tokens are never shown).")
        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            let reviewers = try await ReviewerAdmin(metadata: try await data.metadata()).list()
            // Names are often Japanese: pad by display columns, never cut a name short.
            let width = max(24, reviewers.map { DisplayWidth.of($0.name) }.max() ?? 0)
            print(DisplayWidth.pad("NAME", to: width) + "  CREATED               STATE")
            for reviewer in reviewers {
                let state = reviewer.revokedAt.map { "revoked \($0.formatted(.iso8601))" } ?? "active"
                print(DisplayWidth.pad(reviewer.name, to: width) + "  \(reviewer.createdAt.formatted(.iso8601))  \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a reviewer's token; it is refused from the next request on.")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The reviewer's name.") var name: String

        func run() async throws {
            try await ReviewerAdmin(metadata: try await data.metadata()).revoke(name: name)
            print("Reviewer '\(name)' revoked.")
        }
    }
}

/// `--data-dir`, `--database` and `--blob-store`, shared by the operator's commands.
struct DataDirectoryOption: ParsableArguments {
    @Option(help: "Data directory. Env: DOCINTAKE_DATA_DIR")
    var dataDir: String = Environment.value("DOCINTAKE_DATA_DIR") ?? "./data"

    @OptionGroup var database: DatabaseOption
    @OptionGroup var blobStore: BlobStoreOption

    /// The metadata alone (the blob store is not opened: these commands need no S3 credentials).
    /// The process ends soon after, which closes the database's connections.
    func metadata() async throws -> any MetadataStore {
        try await open(blobStore: nil).metadata
    }

    /// Runs `body` with the stores the server uses, closed afterwards (an S3 client must be).
    func withStores<T: Sendable>(_ body: (Stores) async throws -> T) async throws -> T {
        let stores = try await open(blobStore: try blobStore.location())
        do {
            let result = try await body(stores)
            await stores.close()
            return result
        } catch {
            await stores.close()
            throw error
        }
    }

    private func open(blobStore: BlobStoreLocation?) async throws -> Stores {
        guard FileManager.default.fileExists(atPath: dataDir) else {
            throw ValidationError("no data directory at \(dataDir); start the server once or pass --data-dir")
        }
        return try await Stores.open(dataDirectory: dataDir, database: try database.url(), blobStore: blobStore)
    }
}
