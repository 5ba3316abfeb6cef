import Foundation
import Storage

/// The operator's management of reviewers (`docintake reviewer add|list|revoke`). A token is
/// printed once at creation; only its hash is stored.
public struct ReviewerAdmin: Sendable {
    let metadata: any MetadataStore

    /// Manages the reviewers recorded in `metadata`.
    public init(metadata: any MetadataStore) {
        self.metadata = metadata
    }

    /// Registers a reviewer and returns the new token, the only time it is ever visible.
    public func add(name: String, at date: Date = Date()) async throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100, !trimmed.contains(where: { $0.isNewline || $0 == ":" }) else {
            throw ReviewerAdminError.invalidName
        }
        let token = AccessToken.generate(prefix: AccessToken.reviewerPrefix)
        do {
            try await metadata.addReviewer(ReviewerRecord(name: trimmed, tokenHash: token.hash, createdAt: date))
        } catch MetadataStoreError.duplicateReviewer {
            throw ReviewerAdminError.duplicate(trimmed)
        }
        return token.value
    }

    /// Every reviewer, revoked ones included.
    public func list() async throws -> [ReviewerRecord] {
        try await metadata.reviewers()
    }

    /// Revokes a reviewer's token; it is refused from the next request on.
    public func revoke(name: String, at date: Date = Date()) async throws {
        guard try await metadata.revokeReviewer(name: name, at: date) else { throw ReviewerAdminError.notFound(name) }
    }
}

/// Why a reviewer command failed.
public enum ReviewerAdminError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName
    case duplicate(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalidName: "a reviewer name must be 1-100 characters, without ':' or line breaks"
        case .duplicate(let name): "a reviewer named '\(name)' already exists"
        case .notFound(let name): "no active reviewer named '\(name)'"
        }
    }
}
