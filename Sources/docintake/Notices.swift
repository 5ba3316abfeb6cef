import ArgumentParser
import DocIntake
import Logging

struct Notices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the notices (emails) not yet delivered; with --deliver, first deliver those due now.",
        discussion: "Safe beside a running server: each notice is claimed before it is sent, so two deliverers never send it together.")

    @OptionGroup var data: DataDirectoryOption

    @Flag(help: "Deliver the notices that are due now, once, before listing what is left.")
    var deliver = false

    @OptionGroup(title: "Notices (emails), with --deliver") var mail: MailOptions

    func run() async throws {
        let metadata = try await data.metadata()
        if deliver {
            let deliverer = try NoticeDeliverer(
                metadata: metadata, dataDirectory: data.dataDir, configuration: mail.configuration,
                logger: Logger(label: "docintake"))
            let round = try await deliverer.deliverDue()
            print("delivered \(round.sent), failed \(round.failed)")
        }
        print(try await NoticeListing.make(metadata: metadata).table(), terminator: "")
    }
}
