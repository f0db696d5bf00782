import Foundation

/// Reads an AWS error body: JSON 1.1 (`__type` / `x-amzn-ErrorType`,
/// `message` / `Message`) or the XML documents of S3, STS and IAM (which
/// some endpoints send even for JSON services, e.g. on a bad signature).
public enum ErrorDocument {
    public static func parse(_ response: HTTPResponse) -> (code: String, message: String, requestId: String?) {
        let requestId = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        var code = response.header("x-amzn-ErrorType").map(stripType)
        var message: String?
        let body = response.body
        if let first = body.first(where: { !$0.isWhitespace }), first == UInt8(ascii: "{"),
            let json = try? JSONParser.parse(body)
        {
            if let t = json["__type"]?.stringValue ?? json["code"]?.stringValue ?? json["Code"]?.stringValue {
                code = stripType(t)
            }
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue
        } else if let text = String(data: body, encoding: .utf8), text.contains("<") {
            if let c = xmlElement("Code", in: text) { code = c }
            message = xmlElement("Message", in: text)
            if let r = xmlElement("RequestId", in: text) { return (code ?? "HTTP\(response.status)", message ?? "", r) }
        }
        return (code ?? "HTTP\(response.status)", message ?? "(no message)", requestId)
    }

    /// `aws.protocoltests#Name:http://...` and `ns#Name` both become `Name`.
    static func stripType(_ raw: String) -> String {
        var s = Substring(raw)
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        return String(s)
    }

    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
