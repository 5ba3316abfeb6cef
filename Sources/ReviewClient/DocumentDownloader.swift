import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// Saves an application's documents into a directory, each verified against the server's SHA-256
/// while it streams to disk, each resumable after an interruption, none ever left half-written
/// under its final name.
public struct DocumentDownloader: Sendable {
    let client: ReviewClient
    let directory: String
    let showProgress: Bool
    let notice: @Sendable (String) -> Void

    /// A downloader into `directory`, which must exist. `notice` receives one-line remarks about
    /// resuming or starting over; `showProgress` draws a bar on standard error.
    public init(
        client: ReviewClient, directory: String, showProgress: Bool,
        notice: @escaping @Sendable (String) -> Void = { StandardError.write($0 + "\n") }
    ) throws(ReviewError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .fileSystem(operation: "use the output directory", path: directory, errno: ENOTDIR)
        }
        self.client = client
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.showProgress = showProgress
        self.notice = notice
    }

    /// The current documents to fetch: every one, or the one in `slot`.
    public func documents(of application: ApplicationDetail, slot: String?) throws(ReviewError) -> [DocumentSummary] {
        let current = application.currentDocuments
        guard let slot else { return current }
        let matching = current.filter { $0.slot == slot }
        guard !matching.isEmpty else { throw .noCurrentDocument(slot: slot, receiptNumber: application.receiptNumber) }
        return matching
    }

    /// Downloads one document and returns where it was saved. A `.part` file left by an
    /// interrupted run is resumed from its end; one that cannot belong to this document is
    /// replaced. A transfer cut off is resumed once. On a digest mismatch, or when the server
    /// reports its stored copy corrupt, the `.part` file is deleted; after a second cut-off it is
    /// kept for the next run. Either way no final file appears.
    ///
    /// The `.part` name carries the document's SHA-256, and a resume sends it as `If-Range`, so
    /// bytes of a version the applicant has since replaced are never continued with the new one.
    ///
    /// - Parameters:
    ///   - document: A current document of `application` (see `documents(of:slot:)`).
    ///   - application: Its application, whose 受付番号 starts the saved file's name.
    /// - Returns: The saved file's path, size and verified SHA-256.
    /// - Throws: `ReviewError`; `.integrity` when the bytes do not match the server's digest.
    public func download(_ document: DocumentSummary, of application: ApplicationDetail) async throws -> SavedDocument {
        let plannedName = FileNameSanitiser.downloadName(
            receiptNumber: application.receiptNumber, slot: document.slot, original: document.filename)
        let part = try PartFile(path: directory + "/" + Self.partName(plannedName, document))
        do {
            do {
                return try await attempt(document, of: application, into: part, plannedName: plannedName)
            } catch ReviewError.integrity(.truncated) {
                // Once, with Range: a dropped connection resumes, and a blob the server found corrupt
                // while sending it is now refused before any byte (`blob_corrupt`), which says which.
                notice("the transfer of \(plannedName) was cut off at byte \(part.size); trying once more")
                return try await attempt(document, of: application, into: part, plannedName: plannedName)
            }
        } catch let error as ReviewError where error.problemCode == "blob_corrupt" {
            part.discard()
            throw ReviewError.integrity(
                .corruptOnServer(
                    file: directory + "/" + plannedName, document: "document \(document.slot) of application \(application.receiptNumber)"))
        } catch {
            // A request that failed before the first byte leaves nothing worth resuming.
            if part.size == 0 { part.discard() }
            throw error
        }
    }

    private func attempt(
        _ document: DocumentSummary, of application: ApplicationDetail, into part: PartFile, plannedName: String
    ) async throws -> SavedDocument {
        var transfer = try await start(document, of: application, into: part, plannedName: plannedName)
        return try await finish(&transfer, document, of: application, into: part, plannedName: plannedName)
    }

    /// `<final name>.<first 16 hex digits of the SHA-256>.part`.
    static func partName(_ plannedName: String, _ document: DocumentSummary) -> String {
        "\(plannedName).\(document.sha256.prefix(16)).part"
    }

    /// A response whose body is about to stream into the temp file, and what it promises.
    private struct Transfer {
        var response: HTTPClientResponse
        var total: Int64?
        var digest: ExpectedDigest
        /// The SHA-256 state after the bytes already in the temp file.
        var hasher: SHA256
    }

    /// Hashes what the temp file already holds, asks for the rest, and reconciles the two when
    /// the server sends the whole document or cannot serve the range.
    private func start(
        _ document: DocumentSummary, of application: ApplicationDetail, into part: PartFile, plannedName: String
    ) async throws -> Transfer {
        if part.size >= document.size, part.size > 0 {
            notice("\(part.path) is not shorter than the document, so it cannot be part of it; starting over")
            try part.truncate()
        }
        var hasher = try part.hashContents()
        if part.size > 0 {
            notice("resuming \(plannedName) from byte \(part.size) of \(document.size)")
        }
        var response = try await client.document(id: application.id, slot: document.slot, from: part.size, version: document.sha256)
        var start = try TransferStart.classify(
            status: response.status, headers: response.headers, requestedOffset: part.size, file: plannedName)
        if start == .rangeNotSatisfiable {
            notice("the server cannot resume \(plannedName); starting over")
            try part.truncate()
            hasher = SHA256()
            response = try await client.document(id: application.id, slot: document.slot, from: 0, version: document.sha256)
            start = try TransferStart.classify(status: response.status, headers: response.headers, requestedOffset: 0, file: plannedName)
        }
        switch start {
        case let .whole(size, digest):
            if part.size > 0 {
                notice("the server sent the whole of \(plannedName) instead of the rest; starting over")
                try part.truncate()
                hasher = SHA256()
            }
            return Transfer(response: response, total: size, digest: digest, hasher: hasher)
        case let .resume(_, size, digest):
            return Transfer(response: response, total: size, digest: digest, hasher: hasher)
        case .rangeNotSatisfiable, .failure:
            throw await client.error(
                for: response, subject: "document \(document.slot) of application \(application.receiptNumber)")
        }
    }

    /// Streams the body into the temp file while hashing it, then renames the file into place
    /// only if every byte arrived and the hash matches.
    private func finish(
        _ transfer: inout Transfer, _ document: DocumentSummary, of application: ApplicationDetail,
        into part: PartFile, plannedName: String
    ) async throws -> SavedDocument {
        let resumedFrom = part.size
        // The server's Content-Disposition names the document it is actually sending; the listing
        // named the .part file, because that had to be found before the request went out.
        let disposition = transfer.response.headers.first(name: "Content-Disposition").flatMap(ContentDisposition.init)
        let finalName =
            disposition?.filename.map {
                FileNameSanitiser.downloadName(receiptNumber: application.receiptNumber, slot: document.slot, original: $0)
            } ?? plannedName
        let finalPath = directory + "/" + finalName
        let total = transfer.total
        let truncated = { ReviewError.integrity(.truncated(file: finalPath, partFile: part.path, received: part.size, expected: total)) }

        let progress = showProgress ? ProgressBar(label: document.slot, total: total) : nil
        defer { progress?.finish() }
        var body = transfer.response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await body.next()
            } catch {
                throw truncated()
            }
            guard let chunk else { break }
            if let total, part.size + Int64(chunk.readableBytes) > total {
                part.discard()
                throw ReviewError.integrity(.oversized(file: finalPath, expected: total))
            }
            try part.append(chunk)
            chunk.withUnsafeReadableBytes { transfer.hasher.update(bufferPointer: $0) }
            progress?.update(part.size)
        }
        if let total, part.size < total { throw truncated() }

        let actual = Hex.encode(transfer.hasher.finalize())
        guard actual == transfer.digest.hex else {
            part.discard()
            throw ReviewError.integrity(.digestMismatch(file: finalPath, expected: transfer.digest.hex, actual: actual))
        }
        let size = part.size
        try part.commit(as: finalPath)
        return SavedDocument(path: finalPath, sha256: actual, size: size, slot: document.slot, resumedFrom: resumedFrom)
    }
}
