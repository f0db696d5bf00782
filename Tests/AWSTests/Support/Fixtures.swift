import Foundation

/// Finds the repository's fixtures/ folder by walking up from this file to
/// the first folder that holds both Package.swift and fixtures/.
enum Fixtures {
    static func root(from file: String = #filePath) -> URL? {
        let fm = FileManager.default
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            var isDir: ObjCBool = false
            let fixtures = dir.appendingPathComponent("fixtures")
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
                fm.fileExists(atPath: fixtures.path, isDirectory: &isDir), isDir.boolValue
            {
                return fixtures
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// fixtures/<relative>, or a path that does not exist when the folder was not found.
    static func url(_ relative: String) -> URL {
        (root() ?? URL(fileURLWithPath: "/nonexistent-fixtures")).appendingPathComponent(relative)
    }

    /// Names of the sub-folders of fixtures/<relative>, sorted.
    static func folders(in relative: String) -> [String] {
        let base = url(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: base.appendingPathComponent(name).path, isDirectory: &isDir)
                && isDir.boolValue
        }.sorted()
    }

    /// A text file's contents with one final newline trimmed.
    static func text(_ relative: String) throws -> String {
        var s = try String(contentsOf: url(relative), encoding: .utf8)
        if s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
