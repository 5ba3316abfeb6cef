import DisplayText

/// One application as a report for people: status, fields, warnings, documents and history.
public enum ApplicationReport {
    /// The report, several sections separated by blank lines. Every value from the server is
    /// cleaned of control characters before it reaches the terminal.
    public static func render(_ application: ApplicationDetail) -> String {
        var lines: [String] = []
        lines.append("Application \(clean(application.id))")
        lines.append("  receipt number  \(clean(application.receiptNumber))")
        lines.append("  status          \(StatusName.display(application.status))")
        lines.append("  created         \(DisplayTime.jst(application.createdAt))")
        lines.append("  updated         \(DisplayTime.jst(application.updatedAt))")
        if let resubmitted = application.resubmittedAt {
            lines.append("  再申請          \(DisplayTime.jst(resubmitted))")
        }

        lines.append("")
        lines.append("Fields")
        let rows = application.fields.rows
        let nameWidth = rows.map { DisplayWidth.of($0.name) }.max() ?? 0
        let labelWidth = rows.map { DisplayWidth.of($0.label) }.max() ?? 0
        for row in rows {
            let name = DisplayWidth.pad(row.name, to: nameWidth)
            let label = DisplayWidth.pad(row.label, to: labelWidth)
            lines.append("  \(name)  \(label)  \(row.value.map { clean(CodeLabel.field(row.name, $0)) } ?? "-")")
        }

        if !application.warnings.isEmpty {
            lines.append("")
            lines.append("Warnings")
            for warning in application.warnings {
                let text = [warning.message, warning.messageEn].compactMap { $0 }.map(clean).joined(separator: " / ")
                lines.append("  \(clean(warning.field ?? "-")): \(text)")
            }
        }

        if let changes = application.changesSinceReturn, !changes.isEmpty {
            lines.append("")
            lines.append("Changes since the return (差戻し後の変更)")
            for change in changes {
                let label = clean(change.label ?? change.item)
                if change.kind == "document_replaced" {
                    lines.append("  \(DisplayTime.jst(change.at))  書類の差し替え  \(label)  sha256 \(clean(change.new ?? "-"))")
                } else {
                    lines.append(
                        "  \(DisplayTime.jst(change.at))  申請内容の修正  \(label): "
                            + "\(clean(change.old ?? "（空欄）")) → \(clean(change.new ?? "（空欄）"))")
                }
            }
        }

        lines.append("")
        lines.append("Documents")
        if application.documents.isEmpty { lines.append("  (none)") }
        for document in application.documents {
            var state = document.supersededAt.map { "superseded \(DisplayTime.jst($0))" } ?? "current"
            if let quarantined = document.quarantinedAt {
                state += ", QUARANTINED \(DisplayTime.jst(quarantined)) (a rescan found malware; not served)"
            }
            lines.append("  \(clean(CodeLabel.slot(document.slot)))  \(state)")
            lines.append("    name      \(clean(document.filename))")
            lines.append("    type      \(clean(document.type)), \(document.size) bytes")
            lines.append("    sha256    \(clean(document.sha256))")
            if let uploaded = document.uploadedAt { lines.append("    uploaded  \(DisplayTime.jst(uploaded))") }
        }

        lines.append("")
        lines.append("History")
        for entry in application.history {
            var line = "  \(DisplayTime.jst(entry.at))  \(clean(entry.action))  by \(clean(entry.actor ?? "-"))"
            if entry.fromStatus != nil || entry.toStatus != nil {
                line += "  \(entry.fromStatus.map(StatusName.display) ?? "-") → \(entry.toStatus.map(StatusName.display) ?? "-")"
            }
            lines.append(line)
            if let reason = entry.reason, !reason.isEmpty { lines.append("    reason: \(clean(reason))") }
        }
        return lines.joined(separator: "\n")
    }

    private static func clean(_ text: String) -> String { TerminalText.clean(text) }
}
