/// Why an applicant's request about an existing application was refused.
enum ApplicantError: Error, Sendable, Equatable {
    /// No such application, or the token is not its applicant's.
    case notFound
    /// The application's status does not allow this request.
    case wrongStatus(ApplicationStatus)
    /// A resubmission that changes nothing since the return, not confirmed as such.
    case nothingChanged
    /// A resubmission while these slots' current documents are quarantined (a rescan found malware).
    case quarantinedDocuments([DocumentSlot])
}
