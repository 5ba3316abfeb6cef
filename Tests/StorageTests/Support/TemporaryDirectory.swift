import Foundation

/// A fresh directory under the system temp dir, removed when the test's value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "docintake-storage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func files(under relative: String) -> [String] {
        (FileManager.default.enumerator(atPath: path + "/" + relative)?.allObjects as? [String] ?? [])
            .filter { name in
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: path + "/" + relative + "/" + name, isDirectory: &isDirectory)
                return !isDirectory.boolValue
            }
    }
}
