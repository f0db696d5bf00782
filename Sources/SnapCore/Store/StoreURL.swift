import Foundation

/// A parsed `--store` value.
public enum StoreURL: Sendable, Equatable {
    case local(path: String)
    case s3(bucket: String, prefix: String, region: String?)

    /// `s3://BUCKET[/PREFIX][?region=REGION]`, `file:///abs/path`, or a plain path.
    public init(_ text: String, relativeTo cwd: String = FileManager.default.currentDirectoryPath) throws(SnapError) {
        if text.hasPrefix("s3://") {
            var rest = String(text.dropFirst(5))
            var region: String?
            if let q = rest.firstIndex(of: "?") {
                let query = rest[rest.index(after: q)...]
                rest = String(rest[..<q])
                for pair in query.split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2, kv[0] == "region", !kv[1].isEmpty else {
                        throw SnapError.configuration("store \(text): unknown query \"\(pair)\"; only ?region=REGION is understood")
                    }
                    region = kv[1]
                }
            }
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let bucket = parts.first, !bucket.isEmpty else {
                throw SnapError.configuration("store \(text): no bucket; write s3://BUCKET[/PREFIX]")
            }
            var prefix = parts.count > 1 ? parts[1] : ""
            while prefix.hasSuffix("/") { prefix.removeLast() }
            self = .s3(bucket: bucket, prefix: prefix, region: region)
            return
        }
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst(7))
            guard path.hasPrefix("/") else {
                throw SnapError.configuration("store \(text): a file:// URL needs an absolute path (file:///abs/path)")
            }
            self = .local(path: path)
            return
        }
        if text.contains("://") {
            throw SnapError.configuration("store \(text): unknown scheme; use s3://BUCKET[/PREFIX], file:///path or a plain path")
        }
        guard !text.isEmpty else { throw SnapError.configuration("store: empty value") }
        self = .local(path: text.hasPrefix("/") ? text : "\(cwd)/\(text)")
    }
}
