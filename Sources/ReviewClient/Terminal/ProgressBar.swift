/// A one-line progress bar on standard error, redrawn in place, at most ten times a second.
final class ProgressBar {
    private let label: String
    private let total: Int64?
    private var lastDrawn: ContinuousClock.Instant?

    init(label: String, total: Int64?) {
        self.label = label
        self.total = total
    }

    /// Shows that `done` bytes are on disk.
    func update(_ done: Int64) {
        let now = ContinuousClock.now
        let finished = total.map { done >= $0 } ?? false
        if let lastDrawn, now - lastDrawn < .milliseconds(100), !finished { return }
        lastDrawn = now
        StandardError.write("\r\u{1B}[K" + Self.line(label: label, done: done, total: total))
    }

    /// Clears the line, so that the next message starts on a clean one.
    func finish() {
        StandardError.write("\r\u{1B}[K")
    }

    /// `opening_permit [########------------]  40%  1.2 MB / 3.0 MB`, or without the bar when
    /// the size is unknown.
    static func line(label: String, done: Int64, total: Int64?) -> String {
        guard let total, total > 0 else { return "\(label) \(size(done))" }
        let width = 24
        let filled = Int(min(done, total) * Int64(width) / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = Int(min(done, total) * 100 / total)
        let padded = String(repeating: " ", count: max(0, 3 - String(percent).count)) + String(percent)
        return "\(label) [\(bar)] \(padded)%  \(size(done)) / \(size(total))"
    }

    private static func size(_ bytes: Int64) -> String {
        if bytes < 1024 * 1024 { return "\(bytes / 1024) KB" }
        let tenths = bytes * 10 / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
