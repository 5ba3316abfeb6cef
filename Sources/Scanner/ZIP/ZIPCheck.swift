/// The ZIP structural check: an .xlsx is a safe ZIP whose `[Content_Types].xml` declares the
/// SpreadsheetML main part, which exists. The end record, the central directory and `[Content_Types].xml`
/// decide the type; then, for a workbook that would be accepted, every entry is inflated and checked.
enum ZIPCheck {
    static let contentTypesName = "[Content_Types].xml"
    static let sheetMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    /// An .xltx: refused, because served as .xlsx Excel will not open it (the extension must match the type).
    static let templateMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
    /// An .xlsb: a binary workbook, not an allowed format.
    static let binaryMain = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    /// .xlsm, .xltm and .xlam main parts.
    static let macroMains = [
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
        "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    ]
    /// Parts that hold VBA or Excel 4.0 macros, wherever they sit in the package.
    static let macroParts = [
        "application/vnd.ms-office.vbaProject",
        "application/vnd.ms-excel.macrosheet+xml",
        "application/vnd.ms-excel.intlmacrosheet+xml",
    ]
    static let vbaProjectSuffix = "vbaproject.bin"

    /// What a pass over the central directory found.
    private struct Survey {
        var contentTypes: ZIPCentralEntry?
        var encryptedEntry: String?
        var vbaProjectEntry: String?
        var uncompressedTotal: UInt64 = 0
    }

    /// `streamed`: what ``ZIPStreamInspector`` found while the file arrived; the entries it vouches for are not read again.
    static func check(_ file: FileReader, limits: ScanLimits, streamed: ZIPStreamReport? = nil) throws -> DocumentType {
        let directory = try ZIPCentralDirectory(file: file)
        var survey = Survey()
        try directory.forEach { entry in try inspect(entry, into: &survey, directory: directory, limits: limits) }

        if let name = survey.encryptedEntry {
            throw Rejection(.encrypted, detail: "ZIP: entry \(name) is encrypted")
        }
        guard let contentTypesEntry = survey.contentTypes else {
            throw Rejection(.typeNotAllowed, detail: "ZIP without \(contentTypesName): not an Office document")
        }
        let xml = try contentTypesEntry.readContent(from: file, dataLimit: directory.end.directoryOffset, maxSize: limits.maxContentTypesSize)
        let types = ContentTypes(xml: xml)

        let isSpreadsheet = ([sheetMain, templateMain, binaryMain] + macroMains).contains { types.declares($0) }
        guard isSpreadsheet else {
            let declared = Set(types.declarations.map(\.contentType)).sorted().joined(separator: ", ")
            throw Rejection(.typeNotAllowed, detail: "ZIP/OPC without a spreadsheet main part; content types: \(declared)")
        }
        if let macro = (macroMains + macroParts).first(where: { types.declares($0) }) ?? survey.vbaProjectEntry {
            throw Rejection(.macroEnabled, detail: "XLSX: \(macro)")
        }
        if types.declares(templateMain) && !types.declares(sheetMain) {
            throw Rejection(.typeNotAllowed, detail: "XLSX: a template (.xltx), not a workbook")
        }
        guard types.declares(sheetMain) else {
            throw Rejection(.typeNotAllowed, detail: "XLSX: a binary workbook (.xlsb)")
        }
        try requirePresent(types.parts(declaredAs: sheetMain), in: directory)
        try inflateEveryEntry(of: directory, file: file, limits: limits, streamed: streamed)
        return .xlsx
    }

    /// Reads every entry in full (constant memory): each must hold exactly what the central directory
    /// states, with a matching CRC-32, and no two entries' bytes may overlap (the overlapping-entry bomb).
    /// The stated sizes are bounded already; the real total is counted too, and passing the limit stops it.
    ///
    /// An entry that `streamed` vouches for was decoded from these very bytes while they arrived, and held
    /// exactly what the directory states: reading it again would pass, so only its size is counted.
    private static func inflateEveryEntry(
        of directory: ZIPCentralDirectory, file: FileReader, limits: ScanLimits,
        streamed: ZIPStreamReport?
    ) throws {
        var spans: [Range<UInt64>] = []
        try directory.forEach { entry in
            let data = try entry.dataRange(in: file, dataLimit: directory.end.directoryOffset)
            spans.append(entry.localHeaderOffset..<data.upperBound)
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        for (previous, next) in zip(spans, spans.dropFirst()) where next.lowerBound < previous.upperBound {
            throw Rejection(.zipUnsafe, detail: "ZIP: entries at \(previous.lowerBound) and \(next.lowerBound) overlap")
        }
        let vouched = streamed?.verifiedByOffset ?? [:]
        var total = 0
        try directory.forEach { entry in
            func count(_ bytes: Int) throws {
                total += bytes
                guard total <= limits.maxZipUncompressedTotal else {
                    throw Rejection(
                        .zipUnsafe,
                        detail: "ZIP: entries inflate to more than \(limits.maxZipUncompressedTotal) bytes in all, at \(entry.nameText)")
                }
            }
            if let seen = vouched[entry.localHeaderOffset], seen.vouches(for: entry) {
                return try count(Int(seen.uncompressedSize))
            }
            try entry.streamContent(from: file, dataLimit: directory.end.directoryOffset) { try count($0.count) }
        }
    }

    private static func inspect(_ entry: ZIPCentralEntry, into survey: inout Survey, directory: ZIPCentralDirectory, limits: ScanLimits) throws {
        let name = entry.nameText
        if let reason = entry.unsafeNameReason {
            throw Rejection(.zipUnsafe, detail: "ZIP: entry \(name): \(reason)")
        }
        let (total, overflow) = survey.uncompressedTotal.addingReportingOverflow(entry.uncompressedSize)
        guard !overflow, total <= UInt64(clamping: limits.maxZipUncompressedTotal) else {
            throw Rejection(.zipUnsafe, detail: "ZIP: stated uncompressed total exceeds \(limits.maxZipUncompressedTotal) bytes at \(name)")
        }
        survey.uncompressedTotal = total
        if entry.uncompressedSize >= UInt64(clamping: limits.zipRatioExemptBelow) {
            let (allowed, tooLarge) = entry.compressedSize.multipliedReportingOverflow(by: UInt64(clamping: limits.maxZipEntryRatio))
            guard tooLarge || entry.uncompressedSize <= allowed else {
                throw Rejection(
                    .zipUnsafe,
                    detail:
                        "ZIP: entry \(name) expands \(entry.compressedSize) → \(entry.uncompressedSize) bytes, over ratio \(limits.maxZipEntryRatio)")
            }
        }
        let (dataEnd, dataOverflow) = entry.localHeaderOffset.addingReportingOverflow(UInt64(ZIPCentralEntry.localFixedSize) + entry.compressedSize)
        guard !dataOverflow, dataEnd <= directory.end.directoryOffset else {
            throw Rejection(.corrupt, detail: "ZIP: entry \(name) data runs into the central directory")
        }
        if entry.isEncrypted, survey.encryptedEntry == nil { survey.encryptedEntry = name }
        if name.lowercased().hasSuffix(vbaProjectSuffix), survey.vbaProjectEntry == nil { survey.vbaProjectEntry = name }
        if name.lowercased() == contentTypesName.lowercased() {
            guard survey.contentTypes == nil else {
                throw Rejection(.zipUnsafe, detail: "ZIP: two \(contentTypesName) entries")
            }
            survey.contentTypes = entry
        }
    }

    /// Declared main parts must exist: an archive that only claims to be a workbook is not one.
    private static func requirePresent(_ partNames: [String], in directory: ZIPCentralDirectory) throws {
        guard !partNames.isEmpty else { return }
        let wanted = Set(partNames.map { String($0.drop { $0 == "/" }).lowercased() })
        var found = false
        try directory.forEach { entry in
            if wanted.contains(entry.nameText.lowercased()) { found = true }
        }
        guard found else {
            throw Rejection(.corrupt, detail: "XLSX: main part \(partNames.joined(separator: ", ")) is not in the archive")
        }
    }
}
