import AWS
import Foundation
import Testing

@testable import SnapCore

@Suite struct ModelTests {
    @Test func timestampsAreUTCWholeSeconds() {
        #expect(Timestamp.format(epochSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(epochSeconds: 1_795_747_770) == "2026-11-27T02:49:30Z")
        #expect(Timestamp.format(cognito: .number("1795747770.999")) == "2026-11-27T02:49:30Z")
        #expect(Timestamp.format(epochSeconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(Timestamp.parse("2026-11-27T02:49:30Z") == Date(timeIntervalSince1970: 1_795_747_770))
        #expect(Timestamp.parse("2026-11-27T03:49:30+01:00") == Date(timeIntervalSince1970: 1_795_747_770))
        #expect(Timestamp.parse("2026-11-27") == Date(timeIntervalSince1970: 1_795_737_600))
        for bad in ["2026-13-01", "2026-11-27T25:00:00Z", "yesterday", "2026-11-27T02:49:30", "2026-11-27T02:49:30Zjunk"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func snapshotIDsSortByTime() throws {
        let a = SnapshotID.make(at: Date(timeIntervalSince1970: 1_795_747_770))
        let b = SnapshotID.make(at: Date(timeIntervalSince1970: 1_795_747_771))
        #expect(a.value.hasPrefix("20261127T024930Z-"))
        #expect(a < b)
        #expect(a.date == Date(timeIntervalSince1970: 1_795_747_770))
        #expect(SnapshotID("20261127T024930Z-3f9a1c2e") != nil)
        for bad in ["20261127T024930Z-3F9A1C2E", "20261127T024930Z", "x0261127T024930Z-3f9a1c2e", "../etc/passwd"] {
            #expect(SnapshotID(bad) == nil)
        }
    }

    @Test func userRecordFromListUsersItem() throws {
        let item = try JSONParser.parse(
            #"{"Username":"alice","Attributes":[{"Name":"sub","Value":"s-1"},{"Name":"email","Value":"a@x.com"},{"Name":"custom:tier","Value":"gold"}],"UserCreateDate":1795747770.316,"UserLastModifiedDate":1795747771.0,"Enabled":false,"UserStatus":"CONFIRMED","MFAOptions":[]}"#
        )
        let u = try UserRecord(cognito: item)
        #expect(
            u.json.canonicalString()
                == #"{"attributes":{"custom:tier":"gold","email":"a@x.com","sub":"s-1"},"created":"2026-11-27T02:49:30Z","enabled":false,"modified":"2026-11-27T02:49:31Z","status":"CONFIRMED","username":"alice"}"#
        )
        #expect(try UserRecord(json: u.json) == u)
        let mfa = try UserRecord(
            cognito: try JSONParser.parse(
                #"{"Username":"b","UserAttributes":[],"MFAOptions":[{"DeliveryMedium":"SMS","AttributeName":"phone_number"}],"UserStatus":"CONFIRMED","Enabled":true}"#
            ))
        #expect(mfa.json["mfaOptions"]?.arrayValue?.count == 1)
        #expect(throws: ModelError.self) { try UserRecord(cognito: ["Attributes": []]) }
    }

    @Test func groupRecordOmitsAbsentFields() throws {
        let g = try GroupRecord(
            cognito: try JSONParser.parse(
                #"{"GroupName":"empty","UserPoolId":"p","CreationDate":1795747770,"LastModifiedDate":1795747770}"#))
        #expect(g.json.canonicalString() == #"{"created":"2026-11-27T02:49:30Z","modified":"2026-11-27T02:49:30Z","name":"empty"}"#)
        let full = try GroupRecord(
            cognito: try JSONParser.parse(#"{"GroupName":"admins","Description":"d","Precedence":0,"RoleArn":"arn:aws:iam::1:role/x"}"#))
        #expect(full.json.canonicalString() == #"{"description":"d","name":"admins","precedence":0,"roleArn":"arn:aws:iam::1:role/x"}"#)
    }

    @Test func manifestRoundTripAndUnknownFormat() throws {
        var changes = ChangeSummary()
        changes.users = .init(added: 1, removed: 2, changed: 3)
        let files = Dictionary(
            uniqueKeysWithValues: Member.data.map {
                ($0, Manifest.FileInfo(sha256: String(repeating: "a", count: 64), bytes: 10, records: 1))
            })
        var m = Manifest(
            id: SnapshotID("20261127T024930Z-3f9a1c2e")!, createdAt: "2026-11-27T02:49:30Z",
            userPool: .init(id: "us-east-1_x", name: "n", region: "us-east-1"), counts: .init(users: 1, groups: 1, memberships: 1),
            files: files, previous: SnapshotID("20261126T024930Z-00000000"), changes: changes, warnings: ["w"], tool: "snap test")
        m.archive = .init(sha256: String(repeating: "b", count: 64), bytes: 99)
        let back = try Manifest(data: Array(m.json.canonicalData()), source: "test")
        #expect(back == m)
        var future = m.json.objectValue!
        future["format"] = 2
        #expect(throws: SnapError.self) { try Manifest(json: .object(future), source: "x.json") }
        var missing = m.json.objectValue!
        missing["files"] = ["pool.json": m.json["files"]!["pool.json"]!]
        #expect(throws: SnapError.self) { try Manifest(json: .object(missing), source: "x.json") }
    }
}
