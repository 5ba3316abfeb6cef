import Antivirus
import Multipart
import Scanner

/// Why an upload was refused. Each case maps to one HTTP status and one machine code.
indirect enum IntakeError: Error, Sendable {
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
    /// clamd could not give a verdict (down, too slow, or an error): nothing unscanned is stored.
    case scannerUnavailable(ClamdError)
    /// A refusal that stopped the upload at once (`cause`), with what was already wrong with the
    /// fields and documents that arrived before it, so the applicant fixes everything in one go.
    case stoppedEarly(IntakeError, alsoInvalid: FormErrors)

    /// Whether the refusal is about one part of the form, so that errors of the other parts
    /// belong in the same answer; the others are about the request as a whole.
    var concernsOnePart: Bool {
        switch self {
        case .fileTooLarge, .fieldTooLarge, .documentRejected, .duplicateFile, .unknownPart, .documentNotAllowed: true
        case .notMultipart, .malformedMultipart, .requestTooLarge, .invalidForm, .storageFull, .scannerUnavailable, .stoppedEarly: false
        }
    }
}
