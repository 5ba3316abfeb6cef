import DisplayText

/// The review queue as a table for people.
public enum ApplicationTable {
    /// One row per application under a header: ID (what `show`, `claim` and `decide` take),
    /// receipt number, status, when it was resubmitted (再申請), kind, documents, created, name. The name comes last because it
    /// is the only wide column whose width varies, so a long one cannot push the others out of line.
    public static func render(_ applications: [ApplicationSummary]) -> String {
        let header = ["ID", "RECEIPT", "STATUS", "RESUBMITTED (JST)", "KIND", "DOCS", "CREATED (JST)", "NAME"]
        let rows = applications.map { application in
            [
                application.id, application.receiptNumber, StatusName.display(application.status),
                application.resubmittedAt.map { "再申請 " + DisplayTime.jst($0) } ?? "-",
                CodeLabel.institutionKind(application.institutionKind), application.documentCount.map(String.init) ?? "-",
                DisplayTime.jst(application.createdAt), application.institutionName,
            ].map(TerminalText.clean)
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { DisplayWidth.of($0[column]) }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : DisplayWidth.pad(row[column], to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
