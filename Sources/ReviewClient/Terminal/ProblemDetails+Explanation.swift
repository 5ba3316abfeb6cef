extension ProblemDetails {
    /// The lines a person should read: both languages, then each field error.
    var explanation: [String] {
        var lines: [String] = []
        if let detail, !detail.isEmpty { lines.append(detail) }
        if let detailEn, !detailEn.isEmpty { lines.append(detailEn) }
        for error in errors ?? [] {
            let text = [error.message, error.messageEn].compactMap { $0 }.joined(separator: " / ")
            lines.append("  \(error.field ?? "?"): \(text)")
        }
        return lines.map(TerminalText.clean)
    }
}
