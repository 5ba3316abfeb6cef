import ArgumentParser
import DocIntake
import Foundation

/// How notices are sent, shared by `serve` and `notices --deliver`.
struct MailOptions: ParsableArguments {
    @Option(help: "Sender address of the notices (emails). Env: DOCINTAKE_MAIL_FROM")
    var mailFrom: String = Environment.value("DOCINTAKE_MAIL_FROM") ?? "no-reply@localhost"

    @Option(
        help: ArgumentHelp(
            "Pipe each notice to this sendmail-compatible program instead of writing .eml files into <data-dir>/outbox. Env: DOCINTAKE_SENDMAIL",
            discussion: "Run as PROGRAM -i -f <mail-from> -- <recipient>, the message on standard input.",
            valueName: "path"))
    var sendmail: String?

    @Option(
        help: ArgumentHelp(
            "The service's address as applicants reach it; every notice links the status page under it. Env: DOCINTAKE_PUBLIC_URL",
            valueName: "url"))
    var publicURL: String = Environment.value("DOCINTAKE_PUBLIC_URL") ?? NoticeConfiguration.defaultPublicURL

    @Option(
        help: ArgumentHelp(
            "The contact point (窓口) every notice names, e.g. \"利用申請受付窓口 03-0000-0000（平日9時〜17時）\". Env: DOCINTAKE_CONTACT",
            valueName: "text"))
    var contact: String = Environment.value("DOCINTAKE_CONTACT") ?? NoticeConfiguration.defaultContact

    /// The program from the option, else from the environment.
    var sendmailPath: String? { sendmail ?? Environment.value("DOCINTAKE_SENDMAIL") }

    func validate() throws {
        if mailFrom.contains(where: \.isWhitespace) || !mailFrom.contains("@") {
            throw ValidationError("--mail-from: not an address such as no-reply@example.jp: \(mailFrom)")
        }
        guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
            url.query == nil, url.fragment == nil
        else { throw ValidationError("--public-url: not an http(s) address such as https://docintake.example.jp: \(publicURL)") }
        if contact.trimmingCharacters(in: .whitespaces).isEmpty || contact.contains(where: \.isNewline) {
            throw ValidationError("--contact: one line of text naming the contact point (窓口)")
        }
        if let sendmail = sendmailPath, !FileManager.default.isExecutableFile(atPath: sendmail) {
            throw ValidationError("--sendmail: not an executable program: \(sendmail)")
        }
    }

    var configuration: NoticeConfiguration {
        NoticeConfiguration(mailFrom: mailFrom, sendmailPath: sendmailPath, publicURL: publicURL, contact: contact)
    }
}
