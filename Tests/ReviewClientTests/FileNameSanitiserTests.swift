import Foundation
import Testing

@testable import ReviewClient

struct FileNameSanitiserTests {
    @Test func japaneseNamesAreKept() {
        #expect(
            FileNameSanitiser.downloadName(receiptNumber: "20261126-7KQ2MX", slot: "opening_permit", original: "開設許可書の写し.png")
                == "20261126-7KQ2MX_opening_permit_開設許可書の写し.png")
    }

    @Test func pathSeparatorsCannotEscapeTheDirectory() {
        for name in ["../../etc/passwd", "..\\..\\Windows\\win.ini", "/absolute/path.pdf", "a/b\\c.pdf"] {
            let clean = FileNameSanitiser.sanitise(name)
            #expect(!clean.contains("/") && !clean.contains("\\"), "\(name) → \(clean)")
            #expect(!clean.hasPrefix("."), "\(name) → \(clean)")
        }
        #expect(FileNameSanitiser.sanitise("../../etc/passwd") == "_.._etc_passwd")
    }

    @Test func controlAndBidiCharactersAreRemoved() {
        #expect(FileNameSanitiser.sanitise("a\u{0}b\u{7}c\u{1B}[31m.pdf") == "abc[31m.pdf")
        // "invoice\u{202E}fdp.exe" displays as "invoiceexe.pdf" in a file manager.
        #expect(FileNameSanitiser.sanitise("invoice\u{202E}fdp.exe") == "invoicefdp.exe")
        #expect(FileNameSanitiser.sanitise("x\u{2066}y\u{200B}z\u{FEFF}\u{2028}.pdf") == "xyz.pdf")
        #expect(FileNameSanitiser.sanitise("line\nbreak\r.pdf") == "linebreak.pdf")
    }

    @Test func windowsReservedCharactersBecomeUnderscores() {
        #expect(FileNameSanitiser.sanitise(#"a<b>c:d"e|f?g*h.pdf"#) == "a_b_c_d_e_f_g_h.pdf")
    }

    @Test func leadingDotsAndTrailingDotsAndSpacesGo() {
        #expect(FileNameSanitiser.sanitise(".bashrc") == "bashrc")
        #expect(FileNameSanitiser.sanitise(" . .hidden.pdf") == "hidden.pdf")
        #expect(FileNameSanitiser.sanitise("name. . ") == "name")
        #expect(FileNameSanitiser.sanitise("　全角スペース.pdf　") == "全角スペース.pdf")
    }

    @Test func nothingLeftBecomesDocument() {
        #expect(FileNameSanitiser.sanitise("...") == "document")
        #expect(FileNameSanitiser.sanitise("\u{202E}\u{0}") == "document")
        #expect(FileNameSanitiser.downloadName(receiptNumber: "R", slot: "opening_permit", original: "") == "R_opening_permit_document")
    }

    @Test(arguments: ["CON", "con.txt", "Aux.pdf", "NUL", "com1.xlsx", "LPT9", "COM¹.png", "CON .pdf"])
    func windowsDeviceNamesAreDefused(name: String) {
        #expect(FileNameSanitiser.sanitise(name) == "_" + name.trimmingCharacters(in: .whitespaces))
    }

    @Test func namesThatMerelyStartLikeDevicesAreLeftAlone() {
        #expect(FileNameSanitiser.sanitise("CONSOLE.txt") == "CONSOLE.txt")
        #expect(FileNameSanitiser.sanitise("com10.pdf") == "com10.pdf")
    }

    @Test func decomposedNamesAreComposed() {
        #expect(FileNameSanitiser.sanitise("か\u{3099}いと\u{3099}.pdf") == "がいど.pdf")
    }

    @Test func longNamesAreCutToTheCapKeepingTheExtension() {
        let name = FileNameSanitiser.downloadName(
            receiptNumber: "20261126-7KQ2MX", slot: "opening_notification", original: String(repeating: "長", count: 300) + ".xlsx")
        #expect(name.utf8.count <= FileNameSanitiser.maxBytes)
        #expect(name.utf8.count > FileNameSanitiser.maxBytes - 3, "as long as whole characters allow")
        #expect(name.hasPrefix("20261126-7KQ2MX_opening_notification_長"))
        #expect(name.hasSuffix("長.xlsx"))
        #expect(name.unicodeScalars.allSatisfy { $0 == "長" || $0.isASCII })
    }

    @Test func aLongNameWithoutAnExtensionIsCutToo() {
        let name = FileNameSanitiser.downloadName(receiptNumber: "R", slot: "opening_permit", original: String(repeating: "a", count: 500))
        #expect(name.utf8.count == FileNameSanitiser.maxBytes)
    }

    @Test func theServersOwnValuesAreSanitisedAndBounded() {
        let name = FileNameSanitiser.downloadName(
            receiptNumber: "../" + String(repeating: "9", count: 300), slot: "a/b", original: "x.pdf")
        #expect(!name.contains("/"))
        #expect(name.utf8.count <= FileNameSanitiser.maxBytes)
        #expect(name.hasSuffix("_x.pdf"))
    }
}
