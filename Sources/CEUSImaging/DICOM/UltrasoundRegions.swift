/// The Sequence of Ultrasound Regions (0018,6011): where the panes of a (dual) display are, and the physical
/// size of their pixels.
///
/// **Pane rule:** among the 2-D regions (Region Spatial Format 1), with two or more the right-most (largest
/// x) is taken as the contrast pane and the left-most as the B-mode pane, the usual layout of dual contrast
/// displays; with one, it is the contrast pane. `--contrast-pane` overrides.
///
/// Reference: DICOM PS3.3 §C.8.5.5 (US Region Calibration Module).
public struct UltrasoundRegion: Sendable, Equatable {
    /// Bounds in frame pixels (inclusive corners converted to x, y, width, height).
    public let rect: PixelRect
    /// Region Spatial Format (0018,6012): 1 for 2-D.
    public let spatialFormat: Int
    /// Region Data Type (0018,6014): 1 tissue, 2 colour flow, ...
    public let dataType: Int
    /// Pixel size in mm along x and y, when the physical units are cm (code 3).
    public let pixelSizeMM: (x: Double, y: Double)?

    /// Regions are equal when their rectangles, formats, data types and pixel sizes are.
    public static func == (a: UltrasoundRegion, b: UltrasoundRegion) -> Bool {
        a.rect == b.rect && a.spatialFormat == b.spatialFormat && a.dataType == b.dataType
            && a.pixelSizeMM?.x == b.pixelSizeMM?.x && a.pixelSizeMM?.y == b.pixelSizeMM?.y
    }

    /// The regions of `file`, in file order.
    public static func regions(of file: DICOMFile) -> [UltrasoundRegion] {
        guard let items = file.dataSet[.tag(0x0018, 0x6011)]?.items else { return [] }
        return items.compactMap { item in
            guard let x0 = file.uint32(.tag(0x0018, 0x6018), in: item),
                let y0 = file.uint32(.tag(0x0018, 0x601A), in: item),
                let x1 = file.uint32(.tag(0x0018, 0x601C), in: item),
                let y1 = file.uint32(.tag(0x0018, 0x601E), in: item),
                x1 >= x0, y1 >= y0
            else { return nil }
            var size: (Double, Double)?
            if file.uint16(.tag(0x0018, 0x6024), in: item) == 3, file.uint16(.tag(0x0018, 0x6026), in: item) == 3,
                let dx = file.doubles(.tag(0x0018, 0x602C), in: item)?.first,
                let dy = file.doubles(.tag(0x0018, 0x602E), in: item)?.first, dx > 0, dy > 0
            {
                size = (dx * 10, dy * 10)
            }
            return UltrasoundRegion(
                rect: PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1),
                spatialFormat: file.uint16(.tag(0x0018, 0x6012), in: item) ?? 0,
                dataType: file.uint16(.tag(0x0018, 0x6014), in: item) ?? 0, pixelSizeMM: size)
        }
    }

    /// Contrast and B-mode panes by the pane rule above.
    public static func panes(_ regions: [UltrasoundRegion]) -> (contrast: UltrasoundRegion?, bmode: UltrasoundRegion?) {
        let planar = regions.filter { $0.spatialFormat == 1 }.sorted { $0.rect.x < $1.rect.x }
        guard let last = planar.last else { return (nil, nil) }
        return (last, planar.count >= 2 ? planar.first : nil)
    }
}
