import Foundation

/// A `Range: bytes=…` request header (RFC 9110 §14.1.2). Only a single `N-` range (what a
/// resuming client sends) is served as 206; any other satisfiable set gets the whole document,
/// which RFC 9110 allows; a set none of whose ranges is satisfiable gets 416.
struct RequestedRange: Sendable, Equatable {
    enum Spec: Sendable, Equatable {
        /// `first-` or `first-last`.
        case from(Int64, through: Int64?)
        /// `-length`: the last `length` bytes.
        case suffix(Int64)
    }

    let specs: [Spec]

    /// The parsed header, or nil for one to ignore: another unit, bad syntax (`bytes=-5-`,
    /// `bytes=+5-`, `last < first`), or a number that overflows.
    init?(header: String?) {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return nil }
        var specs: [Spec] = []
        for item in trimmed.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            let text = item.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            let halves = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard halves.count == 2 else { return nil }
            if halves[0].isEmpty {
                guard let length = Self.number(halves[1]) else { return nil }
                specs.append(.suffix(length))
            } else {
                guard let first = Self.number(halves[0]) else { return nil }
                if halves[1].isEmpty {
                    specs.append(.from(first, through: nil))
                } else {
                    guard let last = Self.number(halves[1]), last >= first else { return nil }
                    specs.append(.from(first, through: last))
                }
            }
        }
        guard !specs.isEmpty else { return nil }
        self.specs = specs
    }

    /// Digits only (no sign, no space), within Int64.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    /// RFC 9110 §14.1.1: a range starting before the end, or a non-empty suffix.
    func isSatisfiable(size: Int64) -> Bool {
        specs.contains { spec in
            switch spec {
            case .from(let first, _): first < size
            case .suffix(let length): length > 0 && size > 0
            }
        }
    }

    /// The first byte to send: the start of a single open range, else 0 (the whole document).
    var offset: Int64 {
        if specs.count == 1, case .from(let first, through: nil) = specs[0] { return first }
        return 0
    }
}
