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

/// What a multipart body turned into: its text fields, its accepted documents, and what was
/// wrong with the rest, so that one answer can list every error of the request.
struct ReceivedForm: Sendable {
    var fields: [String: String] = [:]
    var repeatedFields: [String] = []
    /// Text fields whose bytes are not UTF-8; they are reported, never stored as U+FFFD.
    var malformedFields: [String] = []
    var documents: [DocumentSlot: StagedDocument] = [:]
    /// Documents the final stage refused. Reading goes on after such a refusal: the bytes have
    /// already crossed the clinic's line, and the other document and the fields still deserve
    /// their verdict in the same answer.
    var rejections: [DocumentSlot: Rejection] = [:]
    var secretHash: EarlySecretHash?
    /// When the body's last chunk arrived, if any: the clock of ``UploadMetrics/answered(since:)``.
    var lastChunkArrived: ContinuousClock.Instant?

    /// Removes every staged temp file; used whenever the request will not commit.
    func discardDocuments() {
        for document in documents.values { document.blob.discard() }
    }
}
