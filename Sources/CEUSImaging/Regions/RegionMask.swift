/// The pixels of one region in a pane of given size, as row-major indices `row * paneWidth + col`.
public struct RegionMask: Sendable, Equatable {
    /// Region name.
    public let name: String
    let paneWidth: Int
    let paneHeight: Int
    /// Pane pixel indices inside the region, increasing.
    let indices: [Int]

    init(name: String, paneWidth: Int, paneHeight: Int, indices: [Int]) {
        self.name = name
        self.paneWidth = paneWidth
        self.paneHeight = paneHeight
        self.indices = indices
    }

    /// Number of pixels in the region.
    var pixelCount: Int { indices.count }

    /// Whether pixel (col, row) belongs to the region.
    func contains(column: Int, row: Int) -> Bool {
        let target = row * paneWidth + column
        var lo = 0
        var hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo < indices.count && indices[lo] == target
    }
}
