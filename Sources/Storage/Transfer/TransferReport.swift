import Foundation

/// What one `docintake transfer` run did: rows and blobs copied now or found already there, the
/// blobs it could not copy, and the rows where the target disagreed with the source.
public struct TransferReport: Sendable, Equatable, Codable {
    /// Rows of one table.
    public struct RowCounts: Sendable, Equatable, Codable {
        /// Inserted by this run.
        public var copied = 0
        /// Already in the target, identical (an earlier run's).
        public var alreadyPresent = 0

        /// Counts of one table.
        public init(copied: Int = 0, alreadyPresent: Int = 0) {
            self.copied = copied
            self.alreadyPresent = alreadyPresent
        }

        enum CodingKeys: String, CodingKey {
            case copied
            case alreadyPresent = "already_present"
        }
    }

    /// A blob that was not copied.
    public struct FailedBlob: Sendable, Equatable, Codable {
        /// Its SHA-256, 64 hex digits: its name.
        public var sha256: String
        /// `corrupt` (its file does not hash to its name) or `missing` (no file).
        public var reason: String
        /// The 受付番号 of the applications whose documents use it.
        public var receiptNumbers: [String]

        enum CodingKeys: String, CodingKey {
            case sha256, reason
            case receiptNumbers = "receipt_numbers"
        }
    }

    /// A source row the target holds in another form: not overwritten, and the copy stopped there.
    public struct Conflict: Sendable, Equatable, Codable {
        /// The table's name.
        public var table: String
        /// The row, e.g. `application 1f0… (受付番号 20261207-…)`.
        public var row: String
    }

    /// Per table (its name), in copying order in `text()`.
    public var tables: [String: RowCounts] = [:]
    /// Blobs sent to the bucket by this run, verified.
    public var blobsCopied = 0
    /// Blobs whose intact object the bucket already held (skipped).
    public var blobsAlreadyPresent = 0
    /// Bytes sent to the bucket by this run.
    public var bytesCopied: Int64 = 0
    /// Blobs not copied because they failed verification or are missing.
    public var failedBlobs: [FailedBlob] = []
    /// Rows the target holds in another form (the first ones of the page where the copy stopped).
    public var conflicts: [Conflict] = []
    /// Whether every table was copied to its end (false when a conflict stopped the run).
    public var complete = false
    /// The source's pepper file, which the new servers must be given (`--pepper-file`); nil when the
    /// data directory has none (its server was given another).
    public var pepperFile: String?

    enum CodingKeys: String, CodingKey {
        case tables, complete, conflicts
        case blobsCopied = "blobs_copied"
        case blobsAlreadyPresent = "blobs_already_present"
        case bytesCopied = "bytes_copied"
        case failedBlobs = "failed_blobs"
        case pepperFile = "pepper_file"
    }

    /// An empty report, filled in as the transfer goes.
    public init() {}

    /// 0 when everything was copied and verified; 1 when a blob failed or a conflict stopped the copy.
    public var exitCode: Int32 { complete && failedBlobs.isEmpty && conflicts.isEmpty ? 0 : 1 }

    /// The report for the operator, one fact a line.
    public func text() -> String {
        var lines = ["Transfer report"]
        for table in TransferTable.allCases {
            let counts = tables[table.name] ?? RowCounts()
            lines.append("  \(table.name): \(counts.copied) copied, \(counts.alreadyPresent) already present")
        }
        lines.append("  blobs: \(blobsCopied) copied (\(bytesCopied) bytes), \(blobsAlreadyPresent) already present, \(failedBlobs.count) failed")
        for blob in failedBlobs {
            lines.append(
                "  FAILED blob sha256:\(blob.sha256) (\(blob.reason)), not copied; used by 受付番号 \(blob.receiptNumbers.joined(separator: ", "))")
        }
        for conflict in conflicts {
            lines.append("  CONFLICT \(conflict.table): the target holds \(conflict.row) with other content; nothing was overwritten")
        }
        if !conflicts.isEmpty {
            lines.append("The copy stopped at the first conflict: the target database holds other data. Use an empty database.")
        } else if !failedBlobs.isEmpty {
            lines.append(
                "Every row was copied; the failed blobs are marked corrupt in the target (downloads answer blob_corrupt). "
                    + "Restore their files from a backup and run the transfer again, or have the applicants upload them again.")
        } else if complete {
            lines.append("Everything was copied and verified.")
        }
        // The 秘密の番号 hashes were copied as they are: they verify only under the pepper they were made with.
        if let pepperFile {
            lines.append("Start the new servers with --pepper-file naming a copy of \(pepperFile) (the old pepper), or no 秘密の番号 will verify.")
        } else {
            lines.append("Start the new servers with the --pepper-file the old server used (the old pepper), or no 秘密の番号 will verify.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as one JSON object.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
