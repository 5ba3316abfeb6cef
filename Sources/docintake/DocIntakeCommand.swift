import ArgumentParser
import DocIntake

/// `docintake`: the server and the operator's tools. Each subcommand parses its arguments and
/// calls into the DocIntake library.
@main
struct DocIntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docintake",
        abstract: "Document intake for オンライン資格確認 usage applications (職域診療所の開設届・開設許可書).",
        subcommands: [
            Serve.self, Identify.self, Reviewer.self, Retention.self, Hold.self, Scrub.self, Rescan.self, Deletions.self, Notices.self, Migrate.self,
            Transfer.self,
        ])
}
