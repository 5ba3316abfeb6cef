/// What the commands print to standard output for scripts: pretty JSON with sorted keys.
public enum ReviewOutput {
    /// The application list as a JSON array, every page joined.
    public static func json(_ applications: [ApplicationSummary]) throws -> String {
        try ReviewJSON.encode(applications)
    }

    /// One application as a JSON object, shaped as the server sends it.
    public static func json(_ application: ApplicationDetail) throws -> String {
        try ReviewJSON.encode(application)
    }

    /// One line saying where an application now stands, after claim or decide.
    public static func transition(_ application: ApplicationDetail) -> String {
        "\(TerminalText.clean(application.receiptNumber)) (\(TerminalText.clean(application.id))) is now \(StatusName.display(application.status))"
    }
}
