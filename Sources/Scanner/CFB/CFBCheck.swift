/// The OLE2 structural check: an .xls needs a `Workbook` (or BIFF5 `Book`) stream; encryption and
/// macros are recognised by the streams, storages and records Office writes for them.
enum CFBCheck {
    static let workbookNames = ["Workbook", "Book"]
    /// An encrypted .xlsx (ECMA-376 agile or standard encryption) is a CFB holding these.
    static let encryptedPackageNames = ["EncryptedPackage", "EncryptionInfo"]
    static let macroProjectStorage = "_VBA_PROJECT_CUR"
    static let vbaStorage = "VBA"

    static func check(_ file: FileReader, limits: ScanLimits) throws -> DocumentType {
        let container = try CFBContainer(file: file, limits: limits)
        let topLevel = try container.directory.children(of: 0)
        func find(_ names: [String], kind: CFBDirectoryEntry.Kind) -> CFBDirectoryEntry? {
            topLevel.first { entry in entry.kind == kind && names.contains { entry.isNamed($0) } }
        }

        if let package = find(encryptedPackageNames, kind: .stream) {
            throw Rejection(.encrypted, detail: "CFB: \(package.name) stream (encrypted Office Open XML)")
        }
        guard let workbook = find(workbookNames, kind: .stream) else {
            let names = topLevel.map(\.name).sorted().joined(separator: ", ")
            throw Rejection(.typeNotAllowed, detail: "CFB without a Workbook stream; top-level entries: \(names)")
        }
        try container.verifyChain(of: workbook)
        var reader = CFBStreamReader(container: container, stream: workbook)
        let globals = try BIFFGlobals(&reader)
        if globals.isEncrypted {
            throw Rejection(.encrypted, detail: "XLS: FILEPASS record after BOF")
        }
        let hasProject = find([macroProjectStorage], kind: .storage) != nil
        let hasVBA = container.directory.entries.contains { $0.kind == .storage && $0.isNamed(vbaStorage) }
        if hasProject || hasVBA {
            throw Rejection(.macroEnabled, detail: "XLS: \(hasProject ? macroProjectStorage : vbaStorage) storage")
        }
        if let macroSheet = globals.macroSheet {
            throw Rejection(.macroEnabled, detail: "XLS: Excel 4.0 macro sheet: \(macroSheet)")
        }
        return .xls
    }
}
