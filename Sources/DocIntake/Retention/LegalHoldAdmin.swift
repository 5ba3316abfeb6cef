import Foundation
import Storage

/// The operator's legal holds (`docintake hold set|clear|list`). While a hold stands, retention
/// deletes none of the application's documents and does not close it. Setting and clearing are
/// audited with the operator's name and the reason.
public struct LegalHoldAdmin: Sendable {
    let metadata: any MetadataStore
    let clock: @Sendable () -> Date

    /// Holds in `metadata`; `clock` dates them.
    public init(metadata: any MetadataStore, clock: @escaping @Sendable () -> Date = Date.init) {
        self.metadata = metadata
        self.clock = clock
    }

    /// A standing hold with the application it protects.
    public struct Entry: Sendable, Equatable {
        /// The hold: who set it, when and why.
        public var hold: LegalHold
        /// The held application's 受付番号, or `-`.
        public var receiptNumber: String
        /// The held application's status, or `-`.
        public var status: String
    }

    /// Puts an application under hold, or replaces the reason of its hold.
    @discardableResult
    public func set(applicationId: String, reason: String, by identity: OperatorIdentity) async throws -> LegalHold {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 1000 else { throw LegalHoldError.invalidReason }
        let now = clock()
        let hold = LegalHold(applicationId: applicationId, reason: reason, setAt: now, setBy: identity.actor)
        do {
            try await metadata.setLegalHold(
                hold,
                audit: AuditEntry(
                    applicationId: applicationId, at: now, actor: identity.actor, action: "legal_hold_set", reason: reason))
        } catch MetadataStoreError.notFound {
            throw LegalHoldError.notFound(applicationId)
        }
        return hold
    }

    /// Lifts the hold; the documents are again subject to retention from the next run on.
    public func clear(applicationId: String, by identity: OperatorIdentity) async throws {
        let now = clock()
        do {
            let cleared = try await metadata.clearLegalHold(
                applicationId: applicationId,
                audit: AuditEntry(applicationId: applicationId, at: now, actor: identity.actor, action: "legal_hold_clear"))
            if !cleared { throw LegalHoldError.notHeld(applicationId) }
        } catch MetadataStoreError.notFound {
            throw LegalHoldError.notFound(applicationId)
        }
    }

    /// Every standing hold, oldest first.
    public func list() async throws -> [Entry] {
        var entries: [Entry] = []
        for hold in try await metadata.legalHolds() {
            let application = try await metadata.application(id: hold.applicationId)
            entries.append(Entry(hold: hold, receiptNumber: application?.receiptNumber ?? "-", status: application?.status.rawValue ?? "-"))
        }
        return entries
    }
}

/// Why a hold command failed.
public enum LegalHoldError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidReason
    case notFound(String)
    case notHeld(String)

    public var description: String {
        switch self {
        case .invalidReason: "a hold needs a reason of 1-1000 characters"
        case .notFound(let id): "no application with id \(id)"
        case .notHeld(let id): "application \(id) is not under legal hold"
        }
    }
}
