import Foundation

/// The INI dialect of ~/.aws/credentials and ~/.aws/config: `[section]`,
/// `key = value`, `#` and `;` comments; indented lines continue a nested
/// block (e.g. `s3 =`), which snap reads but does not need.
public struct SharedConfigFile: Sendable {
    public var sections: [String: [String: String]]

    public init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        self.init(text: text)
    }

    public init(text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                if sections[current!] == nil { sections[current!] = [:] }
                continue
            }
            guard let section = current, !isIndented, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        self.sections = sections
    }
}
