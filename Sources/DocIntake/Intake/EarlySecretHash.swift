import Storage

/// The 秘密の番号's PBKDF2 hash, started as soon as a document part begins so that its ~30 ms of
/// CPU overlap the upload instead of following the last byte.
///
/// It is started only once a file part arrives, since a request of text fields alone has no upload
/// to overlap with; and a request that fails still waits for it (`settle`), so the derivation stays
/// inside the request's place under the upload cap instead of piling up behind aborted requests.
struct EarlySecretHash: Sendable {
    /// The normalised digits the hash was started for.
    let digits: String
    let hash: Task<String, any Error>

    /// Starts hashing when the form has already sent a well-formed secret; nil otherwise.
    static func start(fields: [String: String], hasher: SecretHasher) -> EarlySecretHash? {
        guard let digits = FormValue.normalised(fields[FormField.secretNumber.rawValue]),
            FormValue.isDigits(digits, count: 4)
        else { return nil }
        let secret = SecretNumber(digits: digits)
        // On the upload threads, at their low priority: it is part of the upload (see `UploadThreads`).
        return EarlySecretHash(digits: digits, hash: Task(executorPreference: UploadThreads.shared) { try hasher.hash(secret) })
    }

    /// Waits for a hash that will not be used: see the type's comment.
    func settle() async {
        _ = try? await hash.value
    }

    /// The hash of `secret`: the early one when it was started for the same digits.
    static func value(of early: EarlySecretHash?, for secret: SecretNumber, hasher: SecretHasher) async throws -> String {
        if let early, early.digits == secret.digits { return try await early.hash.value }
        return try await Blocking.run { try hasher.hash(secret) }
    }
}
