import ArgumentParser
import DocIntake
import Foundation

struct Deletions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the deletion records retention wrote: what was deleted, its SHA-256, when, which rule, by whom.")

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "Only this application's records.")
    var application: String?

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let listing = try await DeletionListing.make(metadata: try await data.metadata(), applicationId: application)
        print(json ? listing.jsonLines() : listing.table(), terminator: "")
    }
}
