import ArgumentParser
import DocIntake
import Foundation

/// How notices are sent, shared by `serve` and `notices --deliver`.
struct MailOptions: ParsableArguments {
    @Option(help: "Sender address of the notices (emails). Env: DOCINTAKE_MAIL_FROM")
    var mailFrom: String = Environment.value("DOCINTAKE_MAIL_FROM") ?? "no-reply@localhost"

    @Option(help: ArgumentHelp(
        "Pipe each notice to this sendmail-compatible program instead of writing .eml files into <data-dir>/outbox. Env: DOCINTAKE_SENDMAIL",
        discussion: "Run as PROGRAM -i -f <mail-from> -- <recipient>, the message on standard input.",
        valueName: "path"))
    var sendmail: String?

    /// The program from the option, else from the environment.
    var sendmailPath: String? { sendmail ?? Environment.value("DOCINTAKE_SENDMAIL") }

    func validate() throws {
        if mailFrom.contains(where: \.isWhitespace) || !mailFrom.contains("@") {
            throw ValidationError("--mail-from: not an address such as no-reply@example.jp: \(mailFrom)")
        }
        if let sendmail = sendmailPath, !FileManager.default.isExecutableFile(atPath: sendmail) {
            throw ValidationError("--sendmail: not an executable program: \(sendmail)")
        }
    }

    var configuration: NoticeConfiguration { NoticeConfiguration(mailFrom: mailFrom, sendmailPath: sendmailPath) }
}
