import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// NIfTI-1 label masks written by nibabel (Tests/Data/nifti_masks.py, an independent writer), against the pixels it
/// wrote (Fixtures/roi/nifti/expected.json): the axis convention, data types, byte orders, gzip and slices.
@Suite("NIfTI masks")
struct NIfTIMaskTests {
    static let folder = TestPaths.packageRoot + "/Fixtures/roi/nifti"
    static let expected: [String: [String: [Int]]] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        return try! JSONDecoder().decode([String: [String: [Int]]].self, from: data)
    }()

    @Test(
        "each label is a region with exactly the pixels nibabel wrote (array[col, row] is pane column, row)",
        arguments: ["labels-uint8.nii", "labels-int16-3d.nii.gz", "labels-float-big-endian.nii"])
    func labels(file: String) throws {
        let want = try #require(Self.expected[file])
        let loaded = try RegionFile.load(Self.folder + "/" + file)
        #expect(loaded.regions.map(\.name) == want.keys.sorted())
        let masks = try loaded.masks(paneWidth: 64, paneHeight: 56)
        for mask in masks {
            #expect(mask.indices == want[mask.name], "\(file): \(mask.name)")
        }
        // Label 3 marks the top-left corner (columns 2-9, rows 2-5): a swapped or flipped axis would move it.
        #expect(
            masks[2].name == "label 3" && masks[2].contains(column: 9, row: 5) && !masks[2].contains(column: 5, row: 9))
        #expect(!masks[2].contains(column: 63 - 9, row: 5) && !masks[2].contains(column: 9, row: 55 - 5))
    }

    @Test("fractional labels, a wrong pane size, damaged gzip and a non-NIfTI file are refused with the file")
    func refusals() throws {
        let fractional = imagingError { _ = try RegionFile.load(Self.folder + "/fractional.nii") }
        #expect(fractional?.description.contains("voxel (3, 4) holds 0.5") == true)
        let loaded = try RegionFile.load(Self.folder + "/labels-uint8.nii")
        let size = imagingError { _ = try loaded.masks(paneWidth: 60, paneHeight: 56) }
        #expect(size?.description.contains("64x56 but the contrast pane is 60x56") == true)
        let scratch = TestPaths.temporaryFolder("nifti-bad")
        var gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/labels-int16-3d.nii.gz")))
        gz[gz.count - 12] ^= 0xFF  // a byte of the compressed data near its end
        try Data(gz).write(to: URL(fileURLWithPath: scratch + "/damaged.nii.gz"))
        let damaged = imagingError { _ = try RegionFile.load(scratch + "/damaged.nii.gz") }
        #expect(damaged?.description.contains("damaged.nii.gz") == true, "\(String(describing: damaged))")
        // Cut short in the middle of the stream: an error, not a hang (the fuzzer found a loop for ever here).
        try Data(gz.prefix(gz.count / 2)).write(to: URL(fileURLWithPath: scratch + "/cut.nii.gz"))
        let cut = imagingError { _ = try RegionFile.load(scratch + "/cut.nii.gz") }
        #expect(cut?.description.contains("cut.nii.gz") == true, "\(String(describing: cut))")
        // Trailing bytes that are not another gzip member are damage, named as such.
        let intact = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/labels-int16-3d.nii.gz")))
        try Data(intact + [0x00, 0x01, 0x02]).write(to: URL(fileURLWithPath: scratch + "/trailing.nii.gz"))
        let trailing = imagingError { _ = try RegionFile.load(scratch + "/trailing.nii.gz") }
        #expect(
            trailing?.description.contains("not gzip data follow") == true, "\(trailing?.description ?? "no error")")
        // vox_offset (a float at byte 108) NaN or huge: an error, not a trap (found by the fuzzer).
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/labels-uint8.nii")))
        for bits in [Float.nan.bitPattern, Float(1e30).bitPattern, Float(352.5).bitPattern] {
            var bad = plain
            for k in 0..<4 { bad[108 + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k))) }
            try Data(bad).write(to: URL(fileURLWithPath: scratch + "/offset.nii"))
            let error = imagingError { _ = try RegionFile.load(scratch + "/offset.nii") }
            #expect(error?.description.contains("vox_offset") == true, "\(error?.description ?? "no error")")
        }
        try Data("not a volume".utf8).write(to: URL(fileURLWithPath: scratch + "/text.nii"))
        let text = imagingError { _ = try RegionFile.load(scratch + "/text.nii") }
        #expect(text?.description.contains("shorter than a NIfTI-1 header") == true)
    }

    @Test(
        "gzip: a second member is read on (as gzip -d does); every cut and every flipped byte is an error or the same data"
    )
    func gzipRobustness() throws {
        let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/labels-int16-3d.nii.gz")))
        let reference = try Gzip.decompress(gz, path: "reference.nii.gz")
        // Python's gzip.compress(b"", mtime=0), written out: an empty member (header, empty deflate block, trailer).
        let emptyMember: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00,
        ]
        #expect(try Gzip.decompress(gz + emptyMember, path: "two.nii.gz") == reference)
        #expect(try Gzip.decompress(emptyMember, path: "empty.gz") == [])
        for length in 0..<gz.count {
            #expect(throws: CEUSImagingError.self, "cut at \(length)") {
                _ = try Gzip.decompress(Array(gz.prefix(length)), path: "cut.gz")
            }
        }
        // A flipped byte either changes nothing zlib reads (header fields such as the time) or is an error; it is
        // never different data passed off as the file.
        for at in 0..<gz.count {
            var damaged = gz
            damaged[at] ^= 0x5A
            if let out = try? Gzip.decompress(damaged, path: "flip.gz") {
                #expect(out == reference, "flip at \(at)")
            }
        }
    }
}
