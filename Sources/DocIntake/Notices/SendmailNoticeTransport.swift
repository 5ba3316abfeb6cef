import Foundation

/// Pipes each notice to a sendmail-compatible program (`--sendmail /usr/sbin/sendmail`):
/// `PATH -i -f <from> -- <recipient>`, the message on standard input. The recipient is passed
/// explicitly rather than read from the headers (`-t`), whose handling differs between MTAs.
///
/// At-least-once is the best a pipe can do: if the server dies after the program accepted the
/// message but before the notice is marked sent, the next attempt sends it again. The
/// Message-ID, derived from the event, lets a receiver drop the duplicate.
struct SendmailNoticeTransport: NoticeTransport {
    let program: String
    let timeout: Duration
    var name: String { "sendmail" }

    func deliver(_ message: MailMessage) throws {
        let bytes = try message.encoded()
        // Files rather than pipes: a program that stops reading cannot block us (or SIGPIPE us),
        // and its output cannot fill a pipe while we wait for it to exit.
        let scratch = NSTemporaryDirectory() + "docintake-sendmail-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: scratch, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard FileManager.default.createFile(atPath: scratch + "/message", contents: Data(bytes)),
            FileManager.default.createFile(atPath: scratch + "/output", contents: nil),
            let input = FileHandle(forReadingAtPath: scratch + "/message"),
            let output = FileHandle(forWritingAtPath: scratch + "/output")
        else { throw NoticeError.sendmailNotStarted("cannot create its input and output files") }
        defer {
            try? input.close()
            try? output.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-i", "-f", message.from, "--", message.to]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw NoticeError.sendmailNotStarted("\(error)")
        }
        if finished.wait(timeout: .now() + timeout.timeInterval) == .timedOut {
            // SIGKILL: a program that ignores SIGTERM must not hold the deliverer forever.
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            throw NoticeError.sendmailTimedOut
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let said = (try? String(contentsOfFile: scratch + "/output", encoding: .utf8)) ?? ""
            throw NoticeError.sendmailFailed(
                status: process.terminationStatus,
                output: String(said.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)))
        }
    }
}
