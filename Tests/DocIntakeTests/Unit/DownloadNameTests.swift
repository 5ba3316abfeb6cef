import Scanner
import Testing

@testable import DocIntake

/// The name a reviewer's download is saved under carries the extension of what the content is.
@Suite struct DownloadNameTests {
    @Test(arguments: [
        ("permit.xlsm", DocumentType.pdf, "permit.pdf"),
        ("開設届の写し", .png, "開設届の写し.png"),
        ("scan.PDF", .pdf, "scan.PDF"),
        ("book.xls", .xlsx, "book.xlsx"),
        ("", .xlsx, "document.xlsx"),
        ("archive.tar.gz", .pdf, "archive.tar.pdf"),
        ("令和6年 開設届 (写し)", .pdf, "令和6年 開設届 (写し).pdf"),
        ("v1.0 final draft", .png, "v1.0 final draft.png"),
    ])
    func theExtensionIsTheDetectedType(name: String, type: DocumentType, saved: String) {
        #expect(DisplayFileName.forDownload(name, type: type) == saved)
    }
}
