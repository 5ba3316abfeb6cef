/// Sector numbers with a special meaning in [MS-CFB] allocation tables and chains.
enum CFBSector {
    /// The highest number that names a real sector.
    static let maxRegular: UInt32 = 0xFFFF_FFFA
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let free: UInt32 = 0xFFFF_FFFF
    /// "No entry" in a directory entry's sibling and child fields.
    static let noStream: UInt32 = 0xFFFF_FFFF
}
