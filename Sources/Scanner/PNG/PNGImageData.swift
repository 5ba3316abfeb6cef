/// The concatenated IDAT data of one image, inflated as it is read, in constant memory: it must be one
/// zlib stream that decodes to exactly ``PNGHeader/imageDataLength`` bytes, and inflating stops one byte
/// past that length, which bounds a decompression bomb by the dimension limits.
struct PNGImageData {
    let header: PNGHeader
    private let inflater: InflateStream
    private var scanlines: PNGScanlines

    init(_ header: PNGHeader) throws {
        self.header = header
        inflater = try InflateStream(.zlib, outputLimit: header.imageDataLength)
        scanlines = PNGScanlines(header)
    }

    /// The next piece of IDAT data.
    mutating func append(_ bytes: ArraySlice<UInt8>) throws {
        var scanlines = self.scanlines
        defer { self.scanlines = scanlines }
        do {
            try inflater.feed(bytes) { try scanlines.consume($0) }
        } catch let error as InflateError {
            throw rejection(error)
        }
    }

    /// After IEND: the stream must be complete and of exactly the implied length.
    mutating func finish() throws {
        var scanlines = self.scanlines
        defer { self.scanlines = scanlines }
        do {
            try inflater.finish { try scanlines.consume($0) }
        } catch let error as InflateError {
            throw rejection(error)
        }
        guard inflater.produced == header.imageDataLength else {
            throw Rejection(.corrupt, detail: "PNG: image data decodes to \(inflater.produced) bytes, IHDR implies \(header.imageDataLength)")
        }
    }

    private func rejection(_ error: InflateError) -> Rejection {
        switch error {
        case .outputLimitExceeded:
            Rejection(.corrupt, detail: "PNG: image data decodes to more than the \(header.imageDataLength) bytes IHDR implies")
        case .inputEnded:
            Rejection(.corrupt, detail: "PNG: the image data's zlib stream ends early")
        case .invalid(let why):
            Rejection(.corrupt, detail: "PNG: image data is not a valid zlib stream: \(why)")
        }
    }
}
