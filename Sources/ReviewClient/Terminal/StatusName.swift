/// The Japanese names of the review states (domain.md, States), for people reading a terminal.
enum StatusName {
    /// `under_review (審査中)`; an unknown status is shown as the server sent it.
    static func display(_ status: String) -> String {
        let japanese: String? = switch status {
        case "submitted": "受付"
        case "under_review": "審査中"
        case "approved": "審査完了"
        case "returned": "差戻し"
        case "rejected": "却下"
        case "withdrawn": "取下げ"
        default: nil
        }
        let clean = TerminalText.clean(status)
        return japanese.map { "\(clean) (\($0))" } ?? clean
    }
}
