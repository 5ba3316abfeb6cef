import Foundation

/// One uploaded document as the applicant and the reviewer see it (`Document` in openapi.yaml).
public struct DocumentSummary: Sendable, Codable, Equatable {
    /// `opening_notification` or `opening_permit`: a `DocumentSlot` raw value.
    public var slot: String
    /// The applicant's original file name, UTF-8.
    public var filename: String
    /// Its size in bytes.
    public var size: Int64
    /// Its SHA-256, lowercase hex.
    public var sha256: String
    /// The type detected from its content: `pdf`, `png`, `xls` or `xlsx`.
    public var type: String
    /// When it was uploaded.
    public var uploadedAt: Date?
    /// When a later upload replaced it; nil while it is current.
    public var supersededAt: Date?
    /// When a rescan found malware in it (隔離): it is never served, and the applicant is asked for a new file.
    public var quarantinedAt: Date?

    /// One document.
    public init(
        slot: String, filename: String, size: Int64, sha256: String, type: String,
        uploadedAt: Date? = nil, supersededAt: Date? = nil, quarantinedAt: Date? = nil
    ) {
        self.slot = slot
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.type = type
        self.uploadedAt = uploadedAt
        self.supersededAt = supersededAt
        self.quarantinedAt = quarantinedAt
    }

    enum CodingKeys: String, CodingKey {
        case slot, filename, size, sha256, type
        case uploadedAt = "uploaded_at"
        case supersededAt = "superseded_at"
        case quarantinedAt = "quarantined_at"
    }
}
