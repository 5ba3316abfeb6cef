/// The IHDR chunk's fields, checked against the PNG specification (11.2.2) and the ``ScanLimits``.
struct PNGHeader: Sendable, Equatable {
    static let length = 13
    /// The bit depths each colour type allows.
    static let allowedBitDepths: [UInt8: Set<UInt8>] = [
        0: [1, 2, 4, 8, 16],  // greyscale
        2: [8, 16],  // truecolour
        3: [1, 2, 4, 8],  // indexed
        4: [8, 16],  // greyscale with alpha
        6: [8, 16],  // truecolour with alpha
    ]
    static let samplesPerPixel: [UInt8: Int] = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4]
    /// Adam7's passes: the first column and row, and the steps between them.
    static let adam7: [(x: Int, y: Int, dx: Int, dy: Int)] = [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ]

    let width: Int
    let height: Int
    let bitDepth: UInt8
    let colourType: UInt8
    let isInterlaced: Bool

    init(_ data: [UInt8], limits: ScanLimits) throws {
        let width = data.uint32BE(at: 0)
        let height = data.uint32BE(at: 4)
        guard width >= 1, height >= 1, width <= PNGChunkHeader.maxLength, height <= PNGChunkHeader.maxLength else {
            throw Rejection(.corrupt, detail: "PNG: IHDR size \(width)x\(height)")
        }
        bitDepth = data[8]
        colourType = data[9]
        guard let depths = Self.allowedBitDepths[colourType], depths.contains(bitDepth) else {
            throw Rejection(.corrupt, detail: "PNG: IHDR bit depth \(bitDepth) with colour type \(colourType)")
        }
        guard data[10] == 0, data[11] == 0, data[12] <= 1 else {
            throw Rejection(.corrupt, detail: "PNG: IHDR methods \(data[10])/\(data[11])/\(data[12]) (compression/filter/interlace)")
        }
        guard Int(width) <= limits.maxImageSide, Int(height) <= limits.maxImageSide,
            UInt64(width) * UInt64(height) <= UInt64(clamping: limits.maxImagePixels)
        else {
            throw Rejection(
                .imageTooLarge,
                detail: "PNG: \(width)x\(height) pixels, limits \(limits.maxImageSide) a side, \(limits.maxImagePixels) in all")
        }
        self.width = Int(width)
        self.height = Int(height)
        isInterlaced = data[12] == 1
    }

    var isIndexed: Bool { colourType == 3 }

    /// Each row of the decompressed image data, in order: its length, counting the filter-type byte.
    /// A non-interlaced image has `height` rows; an interlaced one the rows of Adam7's non-empty passes.
    var rows: [(count: Int, length: Int)] {
        let bitsPerPixel = Self.samplesPerPixel[colourType, default: 1] * Int(bitDepth)
        func rowLength(_ pixels: Int) -> Int { 1 + (pixels * bitsPerPixel + 7) / 8 }
        guard isInterlaced else { return [(height, rowLength(width))] }
        return Self.adam7.compactMap { pass -> (count: Int, length: Int)? in
            let columns = width > pass.x ? (width - pass.x + pass.dx - 1) / pass.dx : 0
            let lines = height > pass.y ? (height - pass.y + pass.dy - 1) / pass.dy : 0
            guard columns > 0, lines > 0 else { return nil }
            return (lines, rowLength(columns))
        }
    }

    /// The exact length of the decompressed image data that this header implies.
    var imageDataLength: Int { rows.reduce(0) { $0 + $1.count * $1.length } }
}
