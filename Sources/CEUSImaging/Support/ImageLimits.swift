/// Limits on what a file may claim, checked before anything is allocated (README, "Limits"). Real CEUS clips are
/// far inside them: frames of at most about 1024 x 768 pixels, a few thousand frames, sequences nested a few
/// levels deep.
public enum ImageLimits {
    /// Largest number of rows or columns of a frame.
    public static let side = 8192
    /// Largest number of pixels of a frame (4096 x 4096): a 16-bit RGB frame of this size takes 100 MB.
    public static let pixels = 4096 * 4096
    /// Largest number of frames of a clip.
    public static let frames = 100_000
    /// Deepest nesting of DICOM sequences.
    public static let sequenceDepth = 64

    /// Checks a frame size read from `field` of `path`; throws naming the field, the value and the limit.
    static func checkFrame(width: Int, height: Int, path: String, field: String) throws {
        guard width <= side, height <= side else {
            throw CEUSImagingError.outsideLimit(
                path: path, field: field, value: "\(width) x \(height)", limit: "\(side) pixels a side")
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= pixels else {
            throw CEUSImagingError.outsideLimit(
                path: path, field: field, value: "\(width) x \(height)", limit: "\(pixels) pixels a frame (4096 x 4096)"
            )
        }
    }
}
