/// The first bytes of the photo formats that phones and cameras write. A photo is not an allowed type,
/// but the form asks for 「スキャンまたは写真」, so its rejection says how to send one instead.
enum PhotoSignature {
    /// An ISO-BMFF `ftyp` box: a 4-byte size, `ftyp`, then the 4-byte major brand.
    static let length = 12
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
    static let fileType = Array("ftyp".utf8)
    /// HEIF/HEIC still images and sequences (iPhone photos), and AVIF, the same container around AV1.
    static let heifBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "avif", "avis"]

    enum Match: Equatable {
        /// A photo, with what identified it.
        case photo(String)
        /// The bytes so far could still become a photo signature.
        case partial
        case mismatch
    }

    static func match(_ head: some Collection<UInt8>) -> Match {
        let bytes = Array(head.prefix(length))
        if bytes.starts(with: jpeg) { return .photo("JPEG") }
        if jpeg.starts(with: bytes) { return .partial }
        // An `ftyp` box is small: its size's top two bytes are zero.
        let sizeHigh = bytes.prefix(2)
        let type = bytes.dropFirst(4).prefix(4)
        guard sizeHigh.allSatisfy({ $0 == 0 }), fileType.starts(with: type) else { return .mismatch }
        guard bytes.count == length else { return .partial }
        let brand = String(decoding: bytes[8..<12], as: UTF8.self)
        return heifBrands.contains(brand) ? .photo("HEIF (brand \(brand))") : .mismatch
    }
}
