import Foundation
import Synchronization
import Testing

@testable import Storage

/// Every file-system call of the write path failing as a full disk would: the error is
/// `.noSpace` (ENOSPC and EDQUOT alike), and neither a temp file nor a new blob stays behind.
@Suite struct FileBlobStoreFaultTests {
    /// Makes the n-th occurrence of one operation fail with `code`.
    static func failing(
        _ matches: @escaping @Sendable (FileSystemFaults.Operation) -> Bool, occurrence: Int = 1,
        with code: Int32 = ENOSPC
    ) -> FileSystemFaults {
        let seen = Mutex(0)
        return FileSystemFaults { operation in
            guard matches(operation) else { return nil }
            return seen.withLock {
                $0 += 1
                return $0
            } == occurrence ? code : nil
        }
    }

    static func isWrite(_ operation: FileSystemFaults.Operation) -> Bool {
        if case .write = operation { return true }
        return false
    }

    /// Stages `bytes` in 1000-byte writes, seals and places them.
    static func store(_ bytes: [UInt8], in store: FileBlobStore) async throws {
        let staged = try store.stage()
        do {
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + 1000, bytes.count)
                try staged.write(Array(bytes[offset..<end]))
                offset = end
            }
        } catch {
            staged.discard()
            throw error
        }
        try await store.place(try staged.seal())
    }

    @Test(arguments: [
        ("mkstemp", failing { $0 == .createTemporaryFile }),
        ("third write", failing(isWrite, occurrence: 3)),
        ("seal fsync", failing { $0 == .fsync }),
        ("mkdir", failing { $0 == .makeDirectory }),
        ("rename EDQUOT", failing({ $0 == .rename }, with: EDQUOT)),
        ("directory fsync after the rename", failing({ $0 == .fsync }, occurrence: 2)),
    ])
    func aFullDiskIsNoSpaceAndLeavesNothing(_ site: String, _ faults: FileSystemFaults) async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path, faults: faults)
        await #expect(throws: BlobStoreError.noSpace, "\(site)") { try await Self.store([UInt8](repeating: 3, count: 5000), in: store) }
        #expect(dir.files(under: "tmp").isEmpty, "\(site): temp file left")
        #expect(try await store.list().isEmpty, "\(site): blob left")
    }

    @Test func anotherErrnoStaysAnIOErrorNamingTheOperation() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path, faults: Self.failing({ $0 == .rename }, with: EIO))
        do {
            try await Self.store([1, 2, 3], in: store)
            Issue.record("the injected EIO did not surface")
        } catch BlobStoreError.io(let operation, _, let code) {
            #expect(operation == "rename")
            #expect(code == EIO)
        }
        #expect(dir.files(under: "tmp").isEmpty)
    }

    @Test func aFailedPlacementOfExistingBytesKeepsTheStoredBlob() async throws {
        let dir = try TemporaryDirectory()
        let bytes = [UInt8](repeating: 9, count: 3000)
        try await Self.store(bytes, in: try FileBlobStore(root: dir.path))
        // The same bytes again, now with the directory fsync failing after the rename over it.
        let failing = try FileBlobStore(root: dir.path, faults: Self.failing({ $0 == .fsync }, occurrence: 2))
        await #expect(throws: BlobStoreError.noSpace) { try await Self.store(bytes, in: failing) }
        let stored = try #require(try await failing.list().first)
        var read: [UInt8] = []
        let reader = try await failing.open(stored.digest)
        while let chunk = try await reader.next() { read += chunk }
        #expect(read == bytes, "a blob that existed before must survive a failed re-placement")
    }
}
