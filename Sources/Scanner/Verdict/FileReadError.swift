/// The file could not be opened or read; unlike a ``Rejection`` this says nothing about its content.
public struct FileReadError: Error, Sendable, Equatable {
    /// The path that was being scanned.
    public var path: String
    /// The system call that failed (`open`, `fstat`, `pread`), or `not a regular file`.
    public var operation: String
    /// The `errno` value, or 0 when no system call failed.
    public var code: Int32

    /// An error for `operation` on `path`.
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }
}
