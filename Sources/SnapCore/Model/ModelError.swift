/// A record that does not have the shape the format requires.
public enum ModelError: Error, Sendable, CustomStringConvertible {
    case missingField(String, in: String)
    case wrongType(String, in: String)

    public var description: String {
        switch self {
        case .missingField(let f, let w): "\(w) has no \"\(f)\""
        case .wrongType(let f, let w): "\(w): \"\(f)\" has the wrong type"
        }
    }
}
