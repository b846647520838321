import Foundation

/// A fast 64-bit checksum of bytes, eight at a time: used for input fingerprints (`run.json`) and to find
/// frames that repeat their predecessor.
///
/// Each 64-bit word w is mixed in as h = rotl((h ^ w) * K1, 31) * K2 (K1, K2 odd 64-bit constants); the tail
/// shorter than a word is padded with zeros and the length is mixed in last, so inputs that differ only in
/// trailing zeros differ. This is a checksum against change, not a cryptographic hash: where equality matters
/// (duplicate frames), equal checksums are confirmed by comparing the bytes.
public struct ContentHasher: Sendable {
    /// The hash of everything mixed in so far.
    public private(set) var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let k1: UInt64 = 0x87C3_7B91_1142_53D5
    static let k2: UInt64 = 0x4CF5_AD43_2745_937F

    /// A hasher in its initial state.
    public init() {}

    @inline(__always) mutating func word(_ w: UInt64) {
        let x = (state ^ w) &* Self.k1
        state = ((x << 31) | (x >> 33)) &* Self.k2
    }

    /// Mixes in `bytes` and their count.
    public mutating func mix(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        for i in 0..<words {
            word(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
        }
        var tail: UInt64 = 0
        for (k, byte) in bytes[(8 * words)...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(k)) }
        word(tail)
        word(UInt64(bytes.count))
    }

    /// Mixes in `bytes` (the same hash as the same bytes in a `Data`).
    public mutating func mix(_ bytes: [UInt8]) { bytes.withUnsafeBytes { mix($0) } }
    /// Mixes in the bytes of `data`.
    public mutating func mix(_ data: Data) { data.withUnsafeBytes { mix($0) } }
    /// Mixes in the UTF-8 bytes of `text`.
    public mutating func mix(_ text: String) { mix(Data(text.utf8)) }
}
