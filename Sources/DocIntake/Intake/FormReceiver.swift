import Antivirus
import Logging
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
    /// clamd, a third consumer of the bytes beside the hasher and the temp file; nil for none.
    let antivirus: ClamdClient?
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

    /// Reads the whole body into `form`. A refusal that must stop the upload at once (a prefix
    /// that is no allowed type, the cap, a part that may not be there) is thrown, with every
    /// staged file removed first; `form` then still holds the fields that arrived before it.
    func receive<Body: AsyncSequence & Sendable>(_ body: Body, boundary: String, into form: inout ReceivedForm) async throws
    where Body.Element == ByteBuffer {
        var parser: MultipartParser
        do {
            parser = try MultipartParser(boundary: boundary, limits: limits.multipart)
        } catch {
            throw IntakeError.malformedMultipart(error)
        }
        var part: PartInProgress?
        var received: Int64 = 0
        do {
            for try await buffer in body {
                received += Int64(buffer.readableBytes)
                form.lastChunkArrived = .now
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
                        try await part?.append(bytes, limits: limits, scanner: scanner)
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
    }

    private func begin(_ headers: PartHeaders, form: ReceivedForm) throws -> PartInProgress {
        guard let filename = headers.filename else {
            return .text(name: headers.name, value: [])
        }
        guard let slot = DocumentSlot(rawValue: headers.name), allowedSlots.contains(slot) else {
            throw IntakeError.unknownPart(headers.name)
        }
        let kind =
            knownKind
            ?? form.fields[FormField.institutionKind.rawValue]
            .flatMap { FormValue.normalised($0) }.flatMap(InstitutionKind.init(rawValue:))
        if let kind, !kind.uploadsDocuments { throw IntakeError.documentNotAllowed(slot) }
        if form.documents[slot] != nil || form.rejections[slot] != nil { throw IntakeError.duplicateFile(slot) }
        return .file(
            FileInProgress(
                slot: slot, filename: DisplayFileName.sanitised(filename), staged: try blobs.stage(),
                antivirus: antivirus))
    }
}

/// The part being received.
private enum PartInProgress {
    case text(name: String, value: [UInt8])
    case file(FileInProgress)

    mutating func append(_ bytes: [UInt8], limits: IntakeLimits, scanner: DocumentScanner) async throws {
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
            try await file.append(bytes, limits: limits, scanner: scanner)
        }
    }

    func end(into form: inout ReceivedForm, scanner: DocumentScanner) async throws {
        switch self {
        case .text(let name, let value):
            if form.fields[name] != nil || form.malformedFields.contains(name) { form.repeatedFields.append(name) }
            guard let text = String(validating: value, as: UTF8.self) else {
                form.malformedFields.append(name)
                return
            }
            form.fields[name] = text
        case .file(let file):
            switch try await file.finish(scanner: scanner) {
            case .accepted(let document): form.documents[file.slot] = document
            case .rejected(let rejection): form.rejections[file.slot] = rejection
            case .none: break
            }
        }
    }

    func discard() {
        if case .file(let file) = self {
            file.virusScan?.cancel()
            file.zipCheck?.cancel()
            file.staged.discard()
        }
    }
}

/// A document part as it arrives: written to its temp file, its prefix sniffed once.
private final class FileInProgress {
    let slot: DocumentSlot
    let filename: String
    let staged: StagedBlob
    let antivirus: ClamdClient?
    /// Opened with the first byte: a blank file input (no document at all) needs no clamd.
    private(set) var virusScan: ClamdStream?
    /// A ZIP candidate's entries, inflated while the bytes arrive, so the final stage only compares
    /// them with the central directory (a large workbook's entries take most of a second to inflate).
    private(set) var zipCheck: ZIPStreamCheck?
    private var prefix: [UInt8] = []
    private var prefixDecided = false

    private static let logger = Logger(label: "docintake.antivirus")

    init(slot: DocumentSlot, filename: String, staged: StagedBlob, antivirus: ClamdClient?) {
        self.slot = slot
        self.filename = filename
        self.staged = staged
        self.antivirus = antivirus
    }

    func append(_ bytes: [UInt8], limits: IntakeLimits, scanner: DocumentScanner) async throws {
        guard staged.byteCount + Int64(bytes.count) <= limits.maxFileSize else {
            throw IntakeError.fileTooLarge(slot, limit: limits.maxFileSize)
        }
        if !prefixDecided {
            prefix.append(contentsOf: bytes.prefix(DocumentScanner.prefixLength - prefix.count))
            switch scanner.sniff(prefix: prefix) {
            case .rejected(let rejection): throw IntakeError.documentRejected(slot, rejection)
            case .candidate(let candidate):
                prefixDecided = true
                // The bytes before this piece all went into `prefix`: the check starts at the file's first byte.
                if candidate == .zip, prefix.count >= staged.byteCount {
                    let check = ZIPStreamCheck(scanner: scanner)
                    await check.append(prefix.prefix(Int(staged.byteCount)))
                    zipCheck = check
                }
            case .needMoreBytes: break
            }
        }
        try staged.write(bytes)
        await zipCheck?.append(bytes)
        if let antivirus, !bytes.isEmpty {
            let scan = virusScan ?? antivirus.stream()
            virusScan = scan
            // A clamd that is down or went away fails the upload now, not after the rest of 100 MB.
            if scan.hasFailed {
                do { _ = try await scan.verdict() } catch { throw Self.unavailable(error) }
            }
            await scan.send(bytes)
        }
    }

    /// What the final stage made of a whole file.
    enum Outcome {
        case accepted(StagedDocument)
        case rejected(Rejection)
        /// A browser sends an empty, nameless part for a file input left blank: that is no
        /// document at all, not an empty one.
        case none
    }

    /// Seals and scans the whole file; a refused file's temp file is gone when this returns.
    func finish(scanner: DocumentScanner) async throws -> Outcome {
        if staged.byteCount == 0 && filename.isEmpty {
            staged.discard()
            return .none
        }
        // clamd scans once the stream ends: it works while this side fsyncs and checks the structure.
        await virusScan?.finish()
        let streamed = await zipCheck?.finish()
        let staged = self.staged
        let (sealed, verdict) = try await Blocking.run {
            let sealed = try staged.seal()
            do {
                return (sealed, try scanner.scan(fileAt: sealed.path, streamed: streamed))
            } catch {
                sealed.discard()
                throw error
            }
        }
        switch verdict.result {
        case .success(let type):
            if antivirus != nil {
                let verdict: ClamdVerdict
                do throws(ClamdError) {
                    guard let virusScan else { throw .failed("the document was never streamed to clamd") }
                    verdict = try await virusScan.verdict()
                } catch {
                    sealed.discard()
                    throw Self.unavailable(error)
                }
                if case .infected(let signature) = verdict {
                    sealed.discard()
                    // The signature is for the operator; the applicant reads only the reason.
                    Self.logger.warning(
                        "document refused: malware found",
                        metadata: [
                            "slot": .string(slot.rawValue), "signature": .string(signature), "sha256": .string(sealed.digest.hex),
                        ])
                    Counter(label: "docintake_antivirus_found_total", dimensions: [("signature", signature)]).increment()
                    return .rejected(Rejection(.infected, detail: "clamd: \(signature)"))
                }
            }
            // Bytes under `filename=""` are a document all the same, stored under a name a reviewer can use.
            return .accepted(StagedDocument(slot: slot, blob: sealed, filename: filename.isEmpty ? "document" : filename, type: type))
        case .failure(let rejection):
            virusScan?.cancel()
            sealed.discard()
            return .rejected(rejection)
        }
    }

    /// Fails the upload closed. A stream over clamd's limit is the operator's to fix: the log
    /// line says how.
    static func unavailable(_ error: ClamdError) -> IntakeError {
        logger.error(
            "virus scan unavailable: the upload is refused with 503 and nothing is stored",
            metadata: [
                "error": .string(error.description)
            ])
        return .scannerUnavailable(error)
    }
}
