import Foundation

/// Writes to the process's standard error, unbuffered, for messages and the progress bar.
public enum StandardError {
    /// Whether standard error is a terminal, where redrawing a line in place makes sense.
    public static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes `text` as is; add the line break yourself.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { writeToFD2($0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            bytes = bytes.dropFirst(count)
        }
    }
}

/// Outside the enum, where `write` still means the system call.
private func writeToFD2(_ bytes: UnsafeRawBufferPointer) -> Int {
    write(STDERR_FILENO, bytes.baseAddress, bytes.count)
}
