import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One element of a parsed S3 XML document: its name (namespace prefix
/// dropped), its own text, and its child elements in document order. S3's
/// documents are small (a list page is at most 1000 entries), so a tree is
/// simpler than streaming and costs little.
struct S3XMLNode: Sendable, Equatable {
    var name: String
    var text: String = ""
    var children: [S3XMLNode] = []

    func child(_ name: String) -> S3XMLNode? { children.first { $0.name == name } }
    func all(_ name: String) -> [S3XMLNode] { children.filter { $0.name == name } }
    /// The text of the first child of that name.
    subscript(_ name: String) -> String? { child(name)?.text }
}

enum S3XML {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses a whole document and returns its root element.
    static func parse(_ data: Data) throws -> S3XMLNode {
        // S3 may pad a long-running 200 (CompleteMultipartUpload) with whitespace
        // before the document, which a strict parser rejects before "<?xml".
        let start = data.firstIndex { !(0x20 == $0 || 0x0A == $0 || 0x0D == $0 || 0x09 == $0) } ?? data.endIndex
        let parser = XMLParser(data: Data(data[start...]))
        let builder = TreeBuilder()
        parser.delegate = builder
        // No external entities or DTDs: S3 never sends them, and resolving them is an attack surface.
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0)" } ?? "no root element"
            throw ParseError(description: "malformed XML: \(reason)")
        }
        return root
    }

    /// Builds the tree from XMLParser's callbacks. Lives only for one parse,
    /// on one thread, so it needs no locking.
    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [S3XMLNode] = []
        var root: S3XMLNode?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(S3XMLNode(name: local))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }

    /// Undoes `encoding-type=url`: form decoding, '+' is a space and '%2B' a plus
    /// (S3 writes spaces as '+'; moto writes '%20'; both decode the same).
    static func urlDecoded(_ s: String) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Escapes text for an element body.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Carriage returns would be normalised to newlines by the receiving parser.
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

// MARK: The documents snap reads

/// One page of ListObjectsV2.
struct S3ListPage: Sendable, Equatable {
    var objects: [S3ObjectInfo]
    var commonPrefixes: [String]
    var isTruncated: Bool
    var nextContinuationToken: String?

    init(objects: [S3ObjectInfo], commonPrefixes: [String], isTruncated: Bool, nextContinuationToken: String?) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    init(xml root: S3XMLNode) throws {
        guard root.name == "ListBucketResult" else {
            throw S3XML.ParseError(description: "expected ListBucketResult, got \(root.name)")
        }
        // Keys come back url-encoded only when the server honoured encoding-type=url and says so.
        let urlEncoded: Bool = root["EncodingType"] == "url"
        let decode: (String) -> String = { urlEncoded ? S3XML.urlDecoded($0) : $0 }
        objects = try root.all("Contents").map { c in
            guard let key = c["Key"] else { throw S3XML.ParseError(description: "Contents without Key") }
            return S3ObjectInfo(
                key: decode(key), size: Int64(c["Size"] ?? "") ?? 0, etag: c["ETag"]?.unquotedETag,
                lastModified: c["LastModified"].flatMap(S3Dates.iso8601))
        }
        commonPrefixes = root.all("CommonPrefixes").compactMap { $0["Prefix"].map(decode) }
        isTruncated = root["IsTruncated"] == "true"
        nextContinuationToken = root["NextContinuationToken"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// One page of ListMultipartUploads.
struct S3UploadsPage: Sendable, Equatable {
    var uploads: [S3MultipartUploadInfo]
    var isTruncated: Bool
    var nextKeyMarker: String?
    var nextUploadIdMarker: String?

    init(xml root: S3XMLNode) throws {
        guard root.name == "ListMultipartUploadsResult" else {
            throw S3XML.ParseError(description: "expected ListMultipartUploadsResult, got \(root.name)")
        }
        let urlEncoded: Bool = root["EncodingType"] == "url"
        let decode: (String) -> String = { urlEncoded ? S3XML.urlDecoded($0) : $0 }
        uploads = try root.all("Upload").map { u in
            guard let key = u["Key"], let id = u["UploadId"] else {
                throw S3XML.ParseError(description: "Upload without Key or UploadId")
            }
            return S3MultipartUploadInfo(key: decode(key), uploadId: id, initiated: u["Initiated"].flatMap(S3Dates.iso8601))
        }
        isTruncated = root["IsTruncated"] == "true"
        nextKeyMarker = root["NextKeyMarker"].flatMap { $0.isEmpty ? nil : decode($0) }
        nextUploadIdMarker = root["NextUploadIdMarker"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Reads small S3 documents and error bodies.
enum S3Documents {
    /// GetBucketLocation: empty (or absent) is us-east-1, "EU" the legacy name of eu-west-1.
    static func location(_ root: S3XMLNode) throws -> String {
        guard root.name == "LocationConstraint" else {
            throw S3XML.ParseError(description: "expected LocationConstraint, got \(root.name)")
        }
        let value = root.text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch value {
        case "", "null": return "us-east-1"
        case "EU": return "eu-west-1"
        default: return value
        }
    }

    /// CreateMultipartUpload's UploadId.
    static func uploadId(_ root: S3XMLNode) throws -> String {
        guard root.name == "InitiateMultipartUploadResult", let id = root["UploadId"], !id.isEmpty else {
            throw S3XML.ParseError(description: "no UploadId in \(root.name)")
        }
        return id
    }

    /// The error document S3 sends, sometimes even with a 200 (CompleteMultipartUpload).
    struct ErrorBody: Sendable, Equatable {
        var code: String
        var message: String
        var requestId: String?
    }

    static func error(_ root: S3XMLNode) -> ErrorBody? {
        guard root.name == "Error" else { return nil }
        return ErrorBody(code: root["Code"] ?? "InternalError", message: root["Message"] ?? "", requestId: root["RequestId"])
    }

    /// DeleteObjects' per-key failures.
    struct DeleteFailure: Sendable, Equatable {
        var key: String
        var code: String
        var message: String
    }

    static func deleteFailures(_ root: S3XMLNode) throws -> [DeleteFailure] {
        guard root.name == "DeleteResult" else {
            throw S3XML.ParseError(description: "expected DeleteResult, got \(root.name)")
        }
        return root.all("Error").map {
            DeleteFailure(key: $0["Key"] ?? "", code: $0["Code"] ?? "InternalError", message: $0["Message"] ?? "")
        }
    }
}
