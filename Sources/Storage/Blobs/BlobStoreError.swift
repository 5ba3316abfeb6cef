#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a blob operation failed.
public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored bytes no longer hash to the blob's name.
    case corrupt(BlobDigest)
    /// No blob with that digest is stored.
    case notFound(BlobDigest)
    /// The file system is full (ENOSPC/EDQUOT): the write was abandoned and nothing was kept.
    case noSpace
    /// The object store cannot be reached, or keeps failing, after its bounded retries. Nothing
    /// that depended on the operation was committed; the reason names the store, never a secret.
    case unavailable(String)
    /// Any other system error, with the operation and the path it concerned.
    case io(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .corrupt(let digest): "blob \(digest.hex) is corrupt: its bytes no longer match its SHA-256"
        case .notFound(let digest): "blob \(digest.hex) is missing"
        case .noSpace: "no space left on the blob store's file system"
        case .unavailable(let reason): "the blob store is unavailable: \(reason)"
        case .io(let operation, let path, let errno): "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }
}
