import ArgumentParser
import Logging
import Storage

/// `docintake migrate`: brings a PostgreSQL database's schema up to this version by hand (servers
/// also do it at start-up, under the same advisory lock).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the schema migrations a PostgreSQL database lacks (servers also do this when they start).")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        guard let url = try database.url() else {
            throw ValidationError("--database (or DOCINTAKE_DATABASE_URL) is required: the SQLite default migrates when it is opened")
        }
        let applied = try await PostgresMetadataStore.migrate(url: url, logger: Logger(label: "docintake.migrate"))
        print(applied.isEmpty ? "\(url): up to date." : "\(url): applied \(applied.joined(separator: ", ")).")
    }
}
