import Foundation
import Testing

@testable import SnapCore

@Suite struct RefAndStoreURLTests {
    let ids = ["20261125T010000Z-aaaaaaaa", "20261126T010000Z-bbbbbbbb", "20261126T020000Z-cccccccc"].map { SnapshotID($0)! }

    @Test func refs() throws {
        #expect(try RefResolver.resolve("latest", in: ids, place: "p") == ids[2])
        #expect(try RefResolver.resolve("latest~2", in: ids, place: "p") == ids[0])
        #expect(try RefResolver.resolve("20261125", in: ids, place: "p") == ids[0])
        #expect(try RefResolver.resolve(ids[1].value, in: ids, place: "p") == ids[1])
        #expect(throws: SnapError.self) { try RefResolver.resolve("latest~3", in: ids, place: "p") }
        #expect(throws: SnapError.self) { try RefResolver.resolve("latest~x", in: ids, place: "p") }
        #expect(throws: SnapError.self) { try RefResolver.resolve("2027", in: ids, place: "p") }
        #expect(throws: SnapError.self) { try RefResolver.resolve("latest", in: [], place: "p") }
        do {
            _ = try RefResolver.resolve("20261126", in: ids, place: "p")
            Issue.record("not ambiguous")
        } catch let SnapError.ambiguousRef(_, candidates) {
            #expect(candidates == [ids[1].value, ids[2].value])
        }
    }

    @Test func atTime() throws {
        #expect(try RefResolver.resolve(at: "2026-11-26T01:30:00Z", in: ids, place: "p") == ids[1])
        #expect(try RefResolver.resolve(at: "2026-11-26", in: ids, place: "p") == ids[2])
        #expect(try RefResolver.resolve(at: "2030-01-01", in: ids, place: "p") == ids[2])
        #expect(throws: SnapError.self) { try RefResolver.resolve(at: "2026-11-24", in: ids, place: "p") }
        #expect(throws: SnapError.self) { try RefResolver.resolve(at: "soon", in: ids, place: "p") }
    }

    @Test func storeURLs() throws {
        #expect(try StoreURL("s3://b") == .s3(bucket: "b", prefix: "", region: nil))
        #expect(try StoreURL("s3://b/a/p/?region=eu-west-1") == .s3(bucket: "b", prefix: "a/p", region: "eu-west-1"))
        #expect(try StoreURL("file:///abs/dir") == .local(path: "/abs/dir"))
        #expect(try StoreURL("rel/dir", relativeTo: "/cwd") == .local(path: "/cwd/rel/dir"))
        for bad in ["s3://", "s3:///x", "file://rel", "gs://b", "", "s3://b?acl=x"] {
            #expect(throws: SnapError.self, "\(bad)") { try StoreURL(bad) }
        }
    }
}
