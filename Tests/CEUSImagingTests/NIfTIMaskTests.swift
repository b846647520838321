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
        try Data("not a volume".utf8).write(to: URL(fileURLWithPath: scratch + "/text.nii"))
        let text = imagingError { _ = try RegionFile.load(scratch + "/text.nii") }
        #expect(text?.description.contains("shorter than a NIfTI-1 header") == true)
    }
}
