import Foundation
import PostgresNIO
import PostgresTestSupport
import Testing

@testable import Storage

/// The PostgreSQL schema: migrated once under an advisory lock, refused when newer, append-only where SQLite's is.
@Suite struct PostgresMigrationTests {
    @Test func aFreshDatabaseGetsEveryMigrationOnceAndTheCommandFindsNothingLeft() async throws {
        let url = try await freshDatabaseURL()
        #expect(
            try await PostgresMetadataStore.migrate(url: DatabaseURL(url), logger: PostgresWorld.logger) == [
                "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8",
            ])
        #expect(try await PostgresMetadataStore.migrate(url: DatabaseURL(url), logger: PostgresWorld.logger) == [])
        let store = try await PostgresMetadataStore(url: DatabaseURL(url))
        let applied = try await store.appliedMigrations()
        await store.shutdown()
        #expect(applied == PostgresMigrations.all.map(\.name))
    }

    /// A server that starts while another holds the migration lock waits for it, then finds the work done.
    @Test func aStoreStartingDuringAnotherMigrationWaitsForItsLock() async throws {
        let url = try await freshDatabaseURL()
        let world = PostgresWorld(url: url, stores: [])
        let started = Finished()
        let opening = Task {
            let store = try await PostgresMetadataStore(url: DatabaseURL(url))
            started.set()
            await store.shutdown()
        }
        try await world.holding(["SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))"]) {
            try await world.untilSomeoneWaits(for: "advisory")
            #expect(!started.isSet, "the store migrated while another server held the migration lock")
        }
        try await opening.value
        #expect(started.isSet)
    }

    /// Several servers starting at once on an empty database: all start, and each migration is recorded once.
    @Test func serversStartingTogetherAllStartAndMigrateOnce() async throws {
        let url = try await freshDatabaseURL()
        let stores = try await withThrowingTaskGroup(of: PostgresMetadataStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresMetadataStore(url: DatabaseURL(url)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores { await store.shutdown() }
        let world = PostgresWorld(url: url, stores: [])
        let names = try await world.execute("SELECT name FROM schema_migrations ORDER BY name").map { try $0.decode(String.self) }
        #expect(names == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
    }

    @Test func aDatabaseFromANewerVersionIsRefusedAndLeftAlone() async throws {
        let url = try await freshDatabaseURL()
        _ = try await PostgresMetadataStore.migrate(url: DatabaseURL(url), logger: PostgresWorld.logger)
        let world = PostgresWorld(url: url, stores: [])
        _ = try await world.execute("INSERT INTO schema_migrations (name) VALUES ('v99-from-the-future')")
        await #expect(throws: MetadataStoreError.schemaTooNew(unknownMigrations: ["v99-from-the-future"])) {
            let store = try await PostgresMetadataStore(url: DatabaseURL(url))
            await store.shutdown()
        }
        await #expect(throws: MetadataStoreError.schemaTooNew(unknownMigrations: ["v99-from-the-future"])) {
            _ = try await PostgresMetadataStore.migrate(url: DatabaseURL(url), logger: PostgresWorld.logger)
        }
        #expect(try await world.execute("SELECT count(*) FROM schema_migrations")[0].decode(Int.self) == PostgresMigrations.all.count + 1)
    }

    /// The audit log and the deletion records refuse UPDATE, DELETE and TRUNCATE, whoever asks (here the superuser).
    @Test(arguments: ["audit_log", "deletion_records"])
    func appendOnlyTablesRefuseChanges(table: String) async throws {
        try await PostgresWorld.with(stores: 1) { world in
            let application = try await PostgresRecords.submit(world.a, documents: [PostgresRecords.sha("d")])
            let expiry = DocumentExpiry(
                applicationId: application.id, expectedStatus: .submitted, expectedStatusChangedAt: application.statusChangedAt,
                rule: "test", at: Date(), actor: "system", operatorUser: "test")
            _ = try await world.a.expireDocuments(expiry)
            let before = try await world.execute(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))[0].decode(Int.self)
            #expect(before > 0)
            for statement in ["UPDATE \(table) SET actor = 'someone else'", "DELETE FROM \(table)", "TRUNCATE \(table)"] {
                await #expect(throws: PSQLError.self, "\(statement) was allowed") {
                    _ = try await world.execute(PostgresQuery(unsafeSQL: statement))
                }
            }
            let after = try await world.execute(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE actor <> 'someone else'"))
            #expect(try after[0].decode(Int.self) == before)
        }
    }

    @Test func aDatabaseThatDoesNotAnswerIsUnavailableWithoutThePassword() async throws {
        // A loopback port nobody listens on: the connection is refused at once, again and again.
        let url = try DatabaseURL("postgres://docintake:s3cret-passw0rd@127.0.0.1:9/docintake?sslmode=disable")
        let started = ContinuousClock.now
        do {
            let store = try await PostgresMetadataStore(url: url, connectionTimeout: .seconds(2))
            await store.shutdown()
            Issue.record("a store opened on a port nobody listens on")
        } catch let MetadataStoreError.unavailable(reason) {
            #expect(!reason.contains("s3cret"))
            #expect(reason.contains("127.0.0.1:9"))
        }
        // Not a speed goal: a refused connection must end in `.unavailable`, not in the pool's retrying forever.
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}
