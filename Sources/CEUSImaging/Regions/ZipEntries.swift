import Foundation
import ZIPFoundation

/// The files of a zip archive (ImageJ's `RoiSet.zip`), read through ZIPFoundation, in the archive's order.
enum ZipEntries {
    /// Largest entry read (ROI files are a few hundred bytes; anything this large is not one).
    static let maximumEntryBytes = 16 << 20

    /// The archive is opened from its file: ZIPFoundation's in-memory archives keep their buffer alive when the
    /// data is not a zip (a leak `make fuzz` found).
    static func read(_ path: String) throws -> [(name: String, bytes: [UInt8])] {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw CEUSImagingError.invalidField(
                path: path, field: "zip",
                detail: "not a readable zip archive (\(error)); export the ROI set again from ImageJ")
        }
        var out: [(String, [UInt8])] = []
        for entry in archive where entry.type == .file {
            guard entry.uncompressedSize <= UInt64(maximumEntryBytes) else {
                throw CEUSImagingError.invalidField(
                    path: path, field: entry.path,
                    detail: "entry of \(entry.uncompressedSize) bytes is too large for a ROI")
            }
            var bytes: [UInt8] = []
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in bytes.append(contentsOf: chunk) }
            } catch {
                throw CEUSImagingError.invalidField(
                    path: path, field: entry.path, detail: "the entry cannot be extracted (\(error))")
            }
            out.append((entry.path, bytes))
        }
        return out
    }
}
