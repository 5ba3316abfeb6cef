import CompressNIO
import NIOCore

/// A deflate stream decoded piece by piece through one fixed window (zlib, through compress-nio),
/// so that memory stays constant whatever the stream expands to.
///
/// The output limit is exact: the window never asks zlib for more than one byte past it, so a bomb
/// costs at most `outputLimit + 1` decoded bytes before ``InflateError/outputLimitExceeded``.
final class InflateStream {
    /// The framing around the deflate data.
    enum Format {
        /// RFC 1950: a two-byte header and an Adler-32 trailer, as in PNG image data.
        case zlib
        /// RFC 1951 alone, as in a ZIP entry.
        case raw
    }

    static let windowSize = 64 << 10

    private let decompressor: ZlibDecompressor
    private let outputLimit: Int
    private var input: ByteBuffer
    private var window: ByteBuffer
    /// Decoded bytes so far.
    private(set) var produced = 0
    /// The stream's end was seen: nothing may follow.
    private(set) var isFinished = false

    init(_ format: Format, outputLimit: Int) throws(InflateError) {
        do {
            decompressor = try ZlibDecompressor(algorithm: format == .zlib ? .zlib : .deflate, windowSize: 15)
        } catch {
            throw .invalid("zlib could not start: \(error)")
        }
        self.outputLimit = outputLimit
        input = ByteBufferAllocator().buffer(capacity: Self.windowSize)
        window = ByteBufferAllocator().buffer(capacity: Self.windowSize)
    }

    /// Decodes `bytes`, the next piece of the stream, handing each decoded piece to `output`.
    func feed(_ bytes: some Collection<UInt8>, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !bytes.isEmpty else { return }
        if isFinished { throw InflateError.invalid("data after the end of the stream") }
        input.clear()
        input.writeBytes(bytes)
        try run(output: output)
        if isFinished, input.readableBytes > 0 { throw InflateError.invalid("data after the end of the stream") }
    }

    /// Decodes what of `bytes` belongs to the stream, which may end inside them (a ZIP entry followed
    /// by a data descriptor): returns how many bytes it used. After the end it uses none.
    ///
    /// A stream that ends exactly at the end of `bytes` is known to have ended only on the next call.
    func feedToEnd(_ bytes: some Collection<UInt8>, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        guard !bytes.isEmpty, !isFinished else { return 0 }
        input.clear()
        input.writeBytes(bytes)
        try run(output: output)
        return bytes.count - input.readableBytes
    }

    /// After the last piece: the stream must have ended, else it was cut short.
    func finish(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !isFinished else { return }
        // zlib reports its end only when called again; a finished stream leaves this byte unread,
        // an unfinished one consumes it (or fails on it): either way it is not finished.
        input.clear()
        input.writeInteger(UInt8(0))
        try run(output: output)
        guard isFinished, input.readableBytes == 1 else { throw InflateError.inputEnded }
    }

    private func run(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            // Ask for at most one byte past the limit, at the end of the window.
            let capacity = window.capacity
            let wanted = min(capacity, outputLimit - produced + 1)
            window.moveReaderIndex(to: 0)
            window.moveWriterIndex(to: capacity - wanted)
            window.moveReaderIndex(to: capacity - wanted)
            let inputBefore = input.readableBytes
            var windowFull = false
            do {
                try decompressor.inflate(from: &input, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                windowFull = true
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                // No progress without more input.
            } catch let error as CompressNIOError where error == .corruptData {
                throw InflateError.invalid("not a valid deflate stream")
            } catch {
                throw InflateError.invalid("zlib: \(error)")
            }
            let decoded = window.readableBytes
            produced += decoded
            guard produced <= outputLimit else { throw InflateError.outputLimitExceeded }
            if decoded > 0 {
                try window.withUnsafeReadableBytes { try output($0) }
            }
            if windowFull {
                guard decoded > 0 || input.readableBytes < inputBefore else { throw InflateError.invalid("zlib made no progress") }
                continue
            }
            // zlib stops short of the input's end only at the stream's end.
            if input.readableBytes > 0 { isFinished = true }
            return
        }
    }
}
