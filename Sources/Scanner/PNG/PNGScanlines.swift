/// Follows the decompressed image data row by row, as it is inflated, and checks that each row starts
/// with a filter type of 0–4 (PNG 9.2): the cheapest proof that the data is an image of this header.
struct PNGScanlines {
    private var rows: [(count: Int, length: Int)]
    private var pass = 0
    private var rowsLeftInPass: Int
    /// Bytes before the next row's filter-type byte.
    private var untilRowStart = 0
    private(set) var consumed = 0

    init(_ header: PNGHeader) {
        rows = header.rows
        rowsLeftInPass = rows.first?.count ?? 0
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var index = untilRowStart
        while index < bytes.count {
            guard rowsLeftInPass > 0 else { break }
            let filter = bytes[index]
            guard filter <= 4 else {
                throw Rejection(.corrupt, detail: "PNG: image data row at byte \(consumed + index) has filter type \(filter)")
            }
            let length = rows[pass].length
            rowsLeftInPass -= 1
            if rowsLeftInPass == 0, pass + 1 < rows.count {
                pass += 1
                rowsLeftInPass = rows[pass].count
            }
            index += length
        }
        untilRowStart = max(0, index - bytes.count)
        consumed += bytes.count
    }
}
