import Foundation

/// Cognito's CSV user import jobs, for `snap restore --method import-job`.
extension CognitoClient {
    public struct ImportJob: Sendable, Equatable {
        public var jobId: String
        public var status: String
        public var preSignedUrl: String?
        public var imported: Int
        public var skipped: Int
        public var failed: Int
        public var message: String?
        public var name: String
        /// When the job was made (epoch seconds): its pre-signed URL lives 15 minutes from then.
        public var created: Double?

        public init(json: JSONValue) {
            jobId = json["JobId"]?.stringValue ?? ""
            name = json["JobName"]?.stringValue ?? ""
            created = json["CreationDate"]?.doubleValue
            status = json["Status"]?.stringValue ?? ""
            preSignedUrl = json["PreSignedUrl"]?.stringValue
            imported = json["ImportedUsers"]?.intValue ?? 0
            skipped = json["SkippedUsers"]?.intValue ?? 0
            failed = json["FailedUsers"]?.intValue ?? 0
            message = json["CompletionMessage"]?.stringValue
        }

        /// Succeeded, Failed, Stopped or Expired: the job will not change again.
        public var finished: Bool { ["Succeeded", "Failed", "Stopped", "Expired"].contains(status) }
        /// Pending, InProgress or Stopping: the one job Cognito runs at a time in an account and Region.
        public var active: Bool { ["Pending", "InProgress", "Stopping"].contains(status) }

        /// How long the pre-signed URL of CreateUserImportJob lives (the guide: "valid for 15 minutes").
        public static let uploadURLLife: Double = 15 * 60
    }

    /// Cognito's S3 refused the CSV because the pre-signed URL's 15 minutes were over.
    public struct UploadURLExpired: Error, CustomStringConvertible {
        public let answer: String
        public var description: String { "the pre-signed upload URL has expired (\(answer))" }
    }

    /// The columns an import CSV for this pool must have.
    public func getCSVHeader(_ poolId: String) async throws -> [String] {
        let out = try await call("GetCSVHeader", category: .userPoolResourceRead, ["UserPoolId": .string(poolId)])
        return (out["CSVHeader"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    public func createUserImportJob(_ poolId: String, name: String, roleArn: String) async throws -> ImportJob {
        let out = try await call(
            "CreateUserImportJob", category: .userPoolResourceUpdate,
            ["UserPoolId": .string(poolId), "JobName": .string(name), "CloudWatchLogsRoleArn": .string(roleArn)])
        return try Self.job(out, "CreateUserImportJob")
    }

    public func startUserImportJob(_ poolId: String, jobId: String) async throws -> ImportJob {
        let out = try await call(
            "StartUserImportJob", category: .userPoolResourceUpdate, ["UserPoolId": .string(poolId), "JobId": .string(jobId)])
        return try Self.job(out, "StartUserImportJob")
    }

    public func describeUserImportJob(_ poolId: String, jobId: String) async throws -> ImportJob {
        let out = try await call(
            "DescribeUserImportJob", category: .userPoolResourceRead, ["UserPoolId": .string(poolId), "JobId": .string(jobId)])
        return try Self.job(out, "DescribeUserImportJob")
    }

    /// The pool's import jobs, newest first as Cognito lists them (every page).
    public func listUserImportJobs(_ poolId: String) async throws -> [ImportJob] {
        var jobs: [ImportJob] = []
        var token: String?
        repeat {
            var body: [String: JSONValue] = ["UserPoolId": .string(poolId), "MaxResults": .int(60)]
            if let token { body["PaginationToken"] = .string(token) }
            let out = try await call("ListUserImportJobs", category: .userPoolResourceRead, .object(body))
            jobs += (out["UserImportJobs"]?.arrayValue ?? []).map(ImportJob.init(json:))
            token = out["PaginationToken"]?.stringValue
        } while token != nil
        return jobs
    }

    /// PUTs a CSV file to a job's pre-signed URL with the header Cognito's guide requires
    /// (`x-amz-server-side-encryption: aws:kms`); the URL carries its own signature.
    public func uploadImportCSV(path: String, to url: String) async throws {
        guard let u = URLComponents(string: url), let scheme = u.scheme, let host = u.host else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: "CreateUserImportJob", reason: "bad PreSignedUrl \(url)")
        }
        let query = (u.percentEncodedQueryItems ?? []).map {
            QueryItem($0.name.removingPercentEncoding ?? $0.name, ($0.value ?? "").removingPercentEncoding ?? "")
        }
        let request = HTTPRequest(
            method: "PUT", scheme: scheme, host: host, port: u.port, path: u.path, query: query,
            headers: [
                HTTPHeader("x-amz-server-side-encryption", "aws:kms"), HTTPHeader("Content-Type", "text/csv"),
            ],
            body: .file(path: path))
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await sender.http.send(request)
                if (200..<300).contains(response.status) { return }
                let text = String(decoding: response.body.prefix(300), as: UTF8.self)
                if response.status == 403 && text.contains("Request has expired") { throw UploadURLExpired(answer: "HTTP 403: \(text)") }
                if response.status >= 500 && attempt < 5 {
                    try await Task.sleep(for: .seconds(attempt))
                    continue
                }
                throw AWSError.invalidResponse(
                    service: "s3", operation: "PUT import CSV", reason: "HTTP \(response.status): \(text)")
            } catch let error as AWSError {
                throw error
            } catch let error as UploadURLExpired {
                throw error
            } catch {
                guard attempt < 5 else { throw error }
                try await Task.sleep(for: .seconds(attempt))
            }
        }
    }

    private static func job(_ out: JSONValue, _ operation: String) throws -> ImportJob {
        guard let j = out["UserImportJob"] else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: operation, reason: "no UserImportJob in the response")
        }
        return ImportJob(json: j)
    }
}
