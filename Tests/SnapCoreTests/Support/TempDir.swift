import Foundation

/// A fresh temporary directory, removed when the value is released.
/// Keep it alive (e.g. a `let` in the test) for as long as files are used.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init(prefix: String = "snap-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Path of `name` inside the directory (not created).
    func file(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let path = file(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
