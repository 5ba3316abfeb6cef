/// Builds ZIP archives in memory: stored entries with real CRCs, or pre-compressed data,
/// with knobs to make the central directory lie the way hostile archives do.
struct ZIPBuilder {
    struct Entry {
        var name: [UInt8]
        /// The bytes as stored in the archive (already deflated when `method` is 8).
        var stored: [UInt8]
        var method: UInt16 = 0
        var crc: UInt32
        var uncompressedSize: UInt64
        var flags: UInt16 = 0x0800
        /// The name written in the local header, when it should differ from the central one.
        var localName: [UInt8]?
        /// Writes the CRC and sizes in a data descriptor after the data (flag bit 3), zeros in the local header.
        var descriptor: Descriptor?

        /// The layouts of a data descriptor.
        enum Descriptor { case signed, unsigned }

        init(_ name: String, _ content: [UInt8]) {
            self.name = Array(name.utf8)
            self.stored = content
            self.crc = referenceCRC32(content)
            self.uncompressedSize = UInt64(content.count)
        }

        init(_ name: String, text: String) { self.init(name, Array(text.utf8)) }

        /// An entry whose data is the raw deflate stream `deflated` of `content`.
        init(_ name: String, deflated: [UInt8], of content: [UInt8]) {
            self.init(name, content)
            stored = deflated
            method = 8
        }
    }

    var entries: [Entry]
    var zip64 = false
    var comment: [UInt8] = []
    /// Overrides the entry count the end record states.
    var statedEntryCount: Int?
    /// Added to every offset the archive states: the bytes that will stand in front of it (a self-extractor's stub).
    var baseOffset = 0

    var bytes: [UInt8] {
        var archive: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let offset = baseOffset + archive.count
            let localName = entry.localName ?? entry.name
            archive.appendLE32(0x0403_4B50)
            archive.appendLE16(zip64 ? 45 : 20)
            let flags = Int(entry.flags) | (entry.descriptor == nil ? 0 : 0x8)
            let described = entry.descriptor != nil
            archive.appendLE16(flags)
            archive.appendLE16(Int(entry.method))
            archive.appendLE32(0)
            archive.appendLE32(described ? 0 : entry.crc)
            archive.appendLE32(described ? 0 : UInt32(entry.stored.count))
            archive.appendLE32(described ? 0 : UInt32(truncatingIfNeeded: entry.uncompressedSize))
            archive.appendLE16(localName.count)
            archive.appendLE16(0)
            archive += localName
            archive += entry.stored
            if let descriptor = entry.descriptor {
                if descriptor == .signed { archive.appendLE32(0x0807_4B50) }
                archive.appendLE32(entry.crc)
                archive.appendLE32(UInt32(entry.stored.count))
                archive.appendLE32(UInt32(truncatingIfNeeded: entry.uncompressedSize))
            }

            var extra: [UInt8] = []
            if zip64 {
                extra.appendLE16(1)
                extra.appendLE16(24)
                extra.appendLE64(entry.uncompressedSize)
                extra.appendLE64(UInt64(entry.stored.count))
                extra.appendLE64(UInt64(offset))
            }
            central.appendLE32(0x0201_4B50)
            central.appendLE16(zip64 ? 45 : 20)
            central.appendLE16(zip64 ? 45 : 20)
            central.appendLE16(flags)
            central.appendLE16(Int(entry.method))
            central.appendLE32(0)
            central.appendLE32(entry.crc)
            central.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(entry.stored.count))
            central.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: entry.uncompressedSize))
            central.appendLE16(entry.name.count)
            central.appendLE16(extra.count)
            central.appendLE16(0)
            central.appendLE16(0)
            central.appendLE16(0)
            central.appendLE32(0)
            central.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(offset))
            central += entry.name
            central += extra
        }
        let centralOffset = baseOffset + archive.count
        archive += central
        let count = statedEntryCount ?? entries.count
        if zip64 {
            let recordOffset = baseOffset + archive.count
            archive.appendLE32(0x0606_4B50)
            archive.appendLE64(44)
            archive.appendLE16(45)
            archive.appendLE16(45)
            archive.appendLE32(0)
            archive.appendLE32(0)
            archive.appendLE64(UInt64(count))
            archive.appendLE64(UInt64(count))
            archive.appendLE64(UInt64(central.count))
            archive.appendLE64(UInt64(centralOffset))
            archive.appendLE32(0x0706_4B50)
            archive.appendLE32(0)
            archive.appendLE64(UInt64(recordOffset))
            archive.appendLE32(1)
        }
        archive.appendLE32(0x0605_4B50)
        archive.appendLE16(0)
        archive.appendLE16(0)
        archive.appendLE16(zip64 ? 0xFFFF : count)
        archive.appendLE16(zip64 ? 0xFFFF : count)
        archive.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(central.count))
        archive.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(centralOffset))
        archive.appendLE16(comment.count)
        archive += comment
        return archive
    }
}

/// Content types and parts of minimal Office Open XML packages.
enum OOXML {
    static let sheetMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    static let macroSheetMain = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    static let templateMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
    static let wordMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

    static func contentTypes(main: String, mainPart: String = "/xl/workbook.xml", extra: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="\(mainPart)" ContentType="\(main)"/>\(extra)</Types>
        """
    }

    /// The entries of a minimal workbook package whose main part has content type `main`.
    static func workbook(main: String = sheetMain) -> [ZIPBuilder.Entry] {
        [
            .init("[Content_Types].xml", text: contentTypes(main: main)),
            .init(
                "_rels/.rels",
                text:
                    #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
            .init("xl/workbook.xml", text: #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>"#),
        ]
    }
}
