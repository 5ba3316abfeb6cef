import GRDB

/// A seam in `SQLiteMetadataStore`'s write transactions: before each COMMIT it asks `inject`,
/// which may name an SQLite result code (such as `SQLITE_FULL`, 13) for the transaction to fail
/// with instead, as SQLite does when the write-ahead log cannot grow on a full disk. The
/// transaction then rolls back like a real failure, after the blobs it placed, so tests reach
/// the 507 mapping and the audit-before-download rule without a small file system. The default,
/// `.none`, injects nothing.
public struct MetadataFaults: Sendable {
    private let inject: (@Sendable () -> Int32?)?

    /// Fails a write transaction, just before its COMMIT, with the result code `inject` returns;
    /// nil lets it commit.
    public init(_ inject: @escaping @Sendable () -> Int32?) {
        self.inject = inject
    }

    private init() { inject = nil }

    /// `SQLITE_FULL`: the database or the disk is full.
    public static let sqliteFull: Int32 = ResultCode.SQLITE_FULL.rawValue

    /// No faults: every transaction commits.
    public static let none = MetadataFaults()

    /// Throws the injected failure as GRDB reports a real one.
    func checkBeforeCommit() throws {
        if let inject, let code = inject() {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "injected by MetadataFaults")
        }
    }
}
