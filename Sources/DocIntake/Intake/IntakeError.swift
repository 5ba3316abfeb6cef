import Multipart
import Scanner

/// Why an upload was refused. Each case maps to one HTTP status and one machine code.
enum IntakeError: Error, Sendable {
    /// The request is not multipart/form-data with a usable boundary.
    case notMultipart
    /// The multipart framing is broken or exceeds a parser limit.
    case malformedMultipart(MultipartError)
    /// The declared or received request size is over the bound for two documents.
    case requestTooLarge(limit: Int64)
    /// A document reached the cap + 1 bytes.
    case fileTooLarge(DocumentSlot, limit: Int64)
    /// A text field is over its byte limit.
    case fieldTooLarge(String, limit: Int)
    /// The Scanner refused the document (by its prefix or its whole content).
    case documentRejected(DocumentSlot, Rejection)
    /// A second file for a slot.
    case duplicateFile(DocumentSlot)
    /// A file under a name that is no document slot (or not the slot being replaced).
    case unknownPart(String)
    /// A file in an application whose kind sends no documents.
    case documentNotAllowed(DocumentSlot)
    /// The fields break the form's rules; every error is listed.
    case invalidForm(FormErrors)
    /// The blob store's file system is full.
    case storageFull
}
