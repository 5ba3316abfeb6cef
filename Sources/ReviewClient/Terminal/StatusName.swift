/// The Japanese names of the review states (domain.md, States), for people reading a terminal.
enum StatusName {
    /// `under_review (審査中)`; an unknown status is shown as the server sent it.
    static func display(_ status: String) -> String {
        let clean = TerminalText.clean(status)
        return ApplicationStatus(rawValue: status).map { "\(clean) (\($0.japaneseName))" } ?? clean
    }
}
