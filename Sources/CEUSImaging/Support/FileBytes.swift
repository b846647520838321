import Foundation

/// Reads whole files. An empty file is read without asking Foundation, whose `FileManager.contents(atPath:)` leaks
/// a 4 KB buffer on a zero-length file (found by the table fuzzer, swift-foundation of Swift 6.1).
public enum FileBytes {
    /// The bytes of the file at `path`, nil when it cannot be read.
    public static func read(_ path: String) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        if (attributes[.type] as? FileAttributeType) == .typeRegular, (attributes[.size] as? Int) == 0 { return Data() }
        return FileManager.default.contents(atPath: path)
    }
}
