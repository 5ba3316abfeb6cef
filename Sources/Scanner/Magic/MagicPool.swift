import Synchronization

/// Reuses libmagic handles across scans: loading the database costs milliseconds, a handle serves one caller at a time.
final class MagicPool: Sendable {
    /// The pool every ``DocumentScanner`` shares: the database is the same for all.
    static let shared = MagicPool()

    /// Idle handles beyond this are closed rather than kept.
    private let maxIdle = 8
    private let idle = Mutex<[MagicCookie]>([])

    private init() {}

    /// libmagic's MIME opinion on an open file, or nil when libmagic is unavailable.
    func mimeType(ofDescriptor descriptor: Int32) -> String? {
        guard let cookie = idle.withLock({ $0.popLast() }) ?? MagicCookie() else { return nil }
        let mime = cookie.mimeType(ofDescriptor: descriptor)
        let kept = idle.withLock { cookies in
            guard cookies.count < maxIdle else { return false }
            cookies.append(cookie)
            return true
        }
        if !kept { cookie.close() }
        return mime
    }
}
