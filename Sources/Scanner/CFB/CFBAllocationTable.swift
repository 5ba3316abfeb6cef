/// A table that links each sector of a chain to the next: the FAT, or the mini FAT for the mini stream.
protocol CFBAllocationTable {
    /// Sector numbers at or above this do not exist.
    var sectorCount: UInt32 { get }
    /// What a chain that points past ``sectorCount`` means: a cut file for the FAT, damage for the mini FAT.
    var outOfRangeReason: RejectionReason { get }
    /// The sector after `sector` in its chain, as the table says (possibly a special value).
    mutating func next(after sector: UInt32) throws -> UInt32
}
