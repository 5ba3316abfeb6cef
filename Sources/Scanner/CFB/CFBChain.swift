/// Walks one sector chain through an allocation table, with the bounds that make hostile chains harmless.
///
/// A chain cannot visit more distinct sectors than exist, so a walk longer than that is a cycle;
/// this catches loops without remembering visited sectors.
struct CFBChain<Table: CFBAllocationTable> {
    private var table: Table
    private let start: UInt32
    private let name: String
    private var upcoming: UInt32
    private var last = CFBSector.endOfChain
    /// How many sectors ``next()`` has returned.
    private(set) var position = 0

    init(table: Table, start: UInt32, name: String) {
        self.table = table
        self.start = start
        self.name = name
        self.upcoming = start
    }

    /// The next sector of the chain, or nil after its last one.
    mutating func next() throws -> UInt32? {
        let sector = upcoming
        if sector == CFBSector.endOfChain { return nil }
        guard sector <= CFBSector.maxRegular else {
            throw Rejection(.corrupt, detail: "CFB: \(name) chain reaches special sector \(String(sector, radix: 16)) at step \(position)")
        }
        guard sector < table.sectorCount else {
            throw Rejection(table.outOfRangeReason, detail: "CFB: \(name) chain points to sector \(sector) of \(table.sectorCount)")
        }
        guard position < Int(table.sectorCount) else {
            throw Rejection(.corrupt, detail: "CFB: \(name) chain loops")
        }
        upcoming = try table.next(after: sector)
        position += 1
        last = sector
        return sector
    }

    /// The sector at `index` in the chain; walks forward from the last answer, or restarts for an earlier one.
    mutating func sector(at index: Int) throws -> UInt32 {
        if index == position - 1 { return last }
        if index < position {
            upcoming = start
            position = 0
        }
        while true {
            guard let sector = try next() else {
                throw Rejection(.corrupt, detail: "CFB: \(name) chain ends before its sector \(index)")
            }
            if position == index + 1 { return sector }
        }
    }

    /// Walks to the end and fails unless the chain holds at least `needed` sectors.
    mutating func verify(holds needed: UInt64) throws {
        while try next() != nil {}
        guard UInt64(position) >= needed else {
            throw Rejection(.corrupt, detail: "CFB: \(name) chain has \(position) sectors, its size needs \(needed)")
        }
    }
}
