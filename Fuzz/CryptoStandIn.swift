// A stand-in for swift-crypto's SHA256, so the fuzz target compiles the
// archive reader's own sources without building swift-crypto under the
// fuzzer's instrumentation. Not a cryptographic hash: the fuzzer cannot
// forge a SHA-256 anyway, so what it explores is the parsing around it.
import Foundation

public struct SHA256 {
    public struct Digest: Sequence {
        let bytes: [UInt8]
        public func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
    }

    private var state: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9e37_79b9_7f4a_7c15, 0x0123_4567_89ab_cdef]

    public init() {}

    public mutating func update(data: Data) {
        for byte in data {
            for i in state.indices { state[i] = (state[i] ^ UInt64(byte)) &* 0x100_0000_01b3 &+ UInt64(i) }
        }
    }

    public func finalize() -> Digest {
        Digest(bytes: state.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } })
    }
}
