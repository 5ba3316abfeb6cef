import Scanner
import Storage

/// A received document whose bytes are durable in a temp file and whose content the Scanner
/// accepted, waiting for its application to commit.
struct StagedDocument: Sendable {
    let slot: DocumentSlot
    let blob: SealedBlob
    /// The name the client sent, kept for the reviewer (never used as a server path).
    let filename: String
    let type: DocumentType
}

/// What a multipart body turned into: its text fields and its accepted documents.
struct ReceivedForm: Sendable {
    var fields: [String: String] = [:]
    var repeatedFields: [String] = []
    var documents: [DocumentSlot: StagedDocument] = [:]
    var secretHash: EarlySecretHash?

    /// Removes every staged temp file; used whenever the request will not commit.
    func discardDocuments() {
        for document in documents.values { document.blob.discard() }
    }
}
