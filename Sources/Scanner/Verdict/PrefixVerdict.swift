/// What the first bytes of an upload already prove, so the server can stop reading a hopeless upload early.
public enum PrefixVerdict: Sendable, Equatable {
    /// The bytes so far are the start of an allowed signature; send more.
    case needMoreBytes
    /// The signature of an allowed container is complete; only the final stage can accept the file.
    case candidate(Candidate)
    /// The prefix proves that the file cannot be accepted, whatever follows.
    case rejected(Rejection)
}
