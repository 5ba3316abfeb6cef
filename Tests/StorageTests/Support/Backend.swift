import Foundation
import PostgresTestSupport
import Testing

@testable import Storage

/// The metadata stores the contract tests run against: the same test, each backend.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, empty store: SQLite in a temporary directory, or a new database in the test cluster.
    func open() async throws -> OpenedStore {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return OpenedStore(store: try SQLiteMetadataStore(path: directory.path + "/meta.sqlite"), directory: directory)
        case .postgres:
            let url = try DatabaseURL(try await freshDatabaseURL())
            return OpenedStore(store: try await PostgresMetadataStore(url: url), directory: nil)
        }
    }
}

/// A store and what it lives in, released with it (keep it alive to the end of the test).
final class OpenedStore: Sendable {
    let store: any MetadataStore
    private let directory: TemporaryDirectory?

    init(store: any MetadataStore, directory: TemporaryDirectory?) {
        self.store = store
        self.directory = directory
    }

    deinit {
        if let postgres = store as? PostgresMetadataStore { Task { await postgres.shutdown() } }
    }
}
