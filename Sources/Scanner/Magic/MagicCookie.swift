import CMagic

/// One libmagic handle (`magic_t`) with the default database loaded.
///
/// A handle is not thread-safe; ``MagicPool`` hands each one to a single caller at a time,
/// which is why moving it between threads is sound.
struct MagicCookie: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Nil when libmagic cannot start or its database cannot be loaded; the scan then goes on without an opinion.
    init?() {
        guard let handle = magic_open(MAGIC_MIME_TYPE) else { return nil }
        guard magic_load(handle, nil) == 0 else {
            magic_close(handle)
            return nil
        }
        // By default libmagic reads up to 7 MiB of a file, milliseconds after the last byte of every
        // upload for an opinion that decides nothing; the four types show themselves in the first KiB.
        var bytesMax = Self.bytesMax
        _ = magic_setparam(handle, MAGIC_PARAM_BYTES_MAX, &bytesMax)
        self.handle = handle
    }

    /// How much of a file libmagic reads.
    static let bytesMax = 1 << 20

    /// libmagic's MIME type for the open file `descriptor`; it reads with its own offset handling.
    func mimeType(ofDescriptor descriptor: Int32) -> String? {
        magic_descriptor(handle, descriptor).map { String(cString: $0) }
    }

    func close() { magic_close(handle) }
}
