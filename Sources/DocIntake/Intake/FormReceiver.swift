import Metrics
import Multipart
import NIOCore
import Scanner
import Storage

/// Turns a streaming multipart body into text fields and staged, scanned documents, enforcing
/// every limit while the bytes arrive: the cap and the type check stop an upload at the byte that
/// decides it, without reading the rest.
struct FormReceiver: Sendable {
    let blobs: any BlobStore
    let scanner: DocumentScanner
    let limits: IntakeLimits
    /// Which file parts this request may carry.
    let allowedSlots: Set<DocumentSlot>
    /// The application's kind when it is already known (a replacement); otherwise it is read from
    /// the `institution_kind` field if that arrives before the files.
    let knownKind: InstitutionKind?
    /// The most this request's body may carry (chunked bodies declare no length).
    let maxBodyBytes: Int64
    /// Hashes the 秘密の番号 while the documents arrive; nil for a document replacement, which
    /// carries no secret.
    var secretHasher: SecretHasher? = nil

    private static let bytesReceived = Counter(label: "docintake_upload_bytes_received_total")

    /// Reads the whole body. On any error every staged file is removed before it is rethrown.
    func receive<Body: AsyncSequence & Sendable>(_ body: Body, boundary: String) async throws -> ReceivedForm
    where Body.Element == ByteBuffer {
        var parser: MultipartParser
        do {
            parser = try MultipartParser(boundary: boundary, limits: limits.multipart)
        } catch {
            throw IntakeError.malformedMultipart(error)
        }
        var form = ReceivedForm()
        var part: PartInProgress?
        var received: Int64 = 0
        do {
            for try await buffer in body {
                received += Int64(buffer.readableBytes)
                if received > maxBodyBytes { throw IntakeError.requestTooLarge(limit: maxBodyBytes) }
                Self.bytesReceived.increment(by: buffer.readableBytes)
                buffer.withUnsafeReadableBytes { parser.append($0) }
                while let event = try parser.next() {
                    switch event {
                    case .partBegin(let headers):
                        part = try begin(headers, form: form)
                        if case .file = part, form.secretHash == nil, let secretHasher {
                            form.secretHash = EarlySecretHash.start(fields: form.fields, hasher: secretHasher)
                        }
                    case .body(let bytes):
                        try part?.append(bytes, limits: limits, scanner: scanner)
                    case .partEnd:
                        try await part?.end(into: &form, scanner: scanner)
                        part = nil
                    }
                }
            }
            try parser.finish()
        } catch {
            part?.discard()
            form.discardDocuments()
            await form.secretHash?.settle()
            if let error = error as? MultipartError { throw IntakeError.malformedMultipart(error) }
            if let error = error as? BlobStoreError, error == .noSpace { throw IntakeError.storageFull }
            throw error
        }
        return form
    }

    private func begin(_ headers: PartHeaders, form: ReceivedForm) throws -> PartInProgress {
        guard let filename = headers.filename else {
            return .text(name: headers.name, value: [])
        }
        guard let slot = DocumentSlot(rawValue: headers.name), allowedSlots.contains(slot) else {
            throw IntakeError.unknownPart(headers.name)
        }
        let kind = knownKind ?? form.fields[FormField.institutionKind.rawValue]
            .flatMap { FormValue.normalised($0) }.flatMap(InstitutionKind.init(rawValue:))
        if let kind, !kind.uploadsDocuments { throw IntakeError.documentNotAllowed(slot) }
        if form.documents[slot] != nil { throw IntakeError.duplicateFile(slot) }
        return .file(FileInProgress(slot: slot, filename: DisplayFileName.sanitised(filename), staged: try blobs.stage()))
    }
}

/// The part being received.
private enum PartInProgress {
    case text(name: String, value: [UInt8])
    case file(FileInProgress)

    mutating func append(_ bytes: [UInt8], limits: IntakeLimits, scanner: DocumentScanner) throws {
        switch self {
        case .text(let name, var value):
            guard value.count + bytes.count <= limits.maxTextFieldBytes else {
                throw IntakeError.fieldTooLarge(name, limit: limits.maxTextFieldBytes)
            }
            // Release the enum's reference first, or every append copies the whole value.
            self = .text(name: name, value: [])
            value.append(contentsOf: bytes)
            self = .text(name: name, value: value)
        case .file(let file):
            try file.append(bytes, limits: limits, scanner: scanner)
        }
    }

    func end(into form: inout ReceivedForm, scanner: DocumentScanner) async throws {
        switch self {
        case .text(let name, let value):
            if form.fields[name] != nil { form.repeatedFields.append(name) }
            form.fields[name] = String(decoding: value, as: UTF8.self)
        case .file(let file):
            if let document = try await file.finish(scanner: scanner) {
                form.documents[file.slot] = document
            }
        }
    }

    func discard() {
        if case .file(let file) = self { file.staged.discard() }
    }
}

/// A document part as it arrives: written to its temp file, its prefix sniffed once.
private final class FileInProgress {
    let slot: DocumentSlot
    let filename: String
    let staged: StagedBlob
    private var prefix: [UInt8] = []
    private var prefixDecided = false

    init(slot: DocumentSlot, filename: String, staged: StagedBlob) {
        self.slot = slot
        self.filename = filename
        self.staged = staged
    }

    func append(_ bytes: [UInt8], limits: IntakeLimits, scanner: DocumentScanner) throws {
        guard staged.byteCount + Int64(bytes.count) <= limits.maxFileSize else {
            throw IntakeError.fileTooLarge(slot, limit: limits.maxFileSize)
        }
        if !prefixDecided {
            prefix.append(contentsOf: bytes.prefix(DocumentScanner.prefixLength - prefix.count))
            switch scanner.sniff(prefix: prefix) {
            case .rejected(let rejection): throw IntakeError.documentRejected(slot, rejection)
            case .candidate: prefixDecided = true
            case .needMoreBytes: break
            }
        }
        try staged.write(bytes)
    }

    /// Seals and scans the whole file. A browser sends an empty, nameless part for a file input
    /// left blank: that is no document at all, not an empty one.
    func finish(scanner: DocumentScanner) async throws -> StagedDocument? {
        if staged.byteCount == 0 && filename.isEmpty {
            staged.discard()
            return nil
        }
        let staged = self.staged
        let (sealed, verdict) = try await Blocking.run {
            let sealed = try staged.seal()
            do {
                return (sealed, try scanner.scan(fileAt: sealed.path))
            } catch {
                sealed.discard()
                throw error
            }
        }
        switch verdict.result {
        case .success(let type):
            // Bytes under `filename=""` are a document all the same, stored under a name a reviewer can use.
            return StagedDocument(slot: slot, blob: sealed, filename: filename.isEmpty ? "document" : filename, type: type)
        case .failure(let rejection):
            sealed.discard()
            throw IntakeError.documentRejected(slot, rejection)
        }
    }
}
