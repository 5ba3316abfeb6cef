/// Entry names that would write outside the extraction folder, whichever name an unzipper uses.
extension ZIPCentralEntry {
    /// Why the entry's name is unsafe, or nil when it is safe.
    var unsafeNameReason: String? {
        for candidate in [name] + (unicodePath.map { [$0] } ?? []) {
            if let reason = Self.unsafeReason(candidate) { return reason }
        }
        return nil
    }

    static func unsafeReason(_ name: [UInt8]) -> String? {
        let slash = UInt8(ascii: "/")
        let backslash = UInt8(ascii: "\\")
        if name.isEmpty { return "empty name" }
        if name.contains(0) { return "NUL in name" }
        if name[0] == slash || name[0] == backslash { return "absolute path" }
        if name.count >= 2, name[1] == UInt8(ascii: ":"), (0x41...0x5A).contains(name[0] & 0xDF) { return "drive letter" }
        // Both separators count: Windows unzippers treat a backslash as one.
        let segments = name.split(omittingEmptySubsequences: false) { $0 == slash || $0 == backslash }
        if segments.contains(where: { $0.elementsEqual("..".utf8) }) { return "'..' segment" }
        return nil
    }
}
