import Foundation

/// A named region of the contrast pane, in pane pixel coordinates: x to the right, y down, the top-left
/// corner of the top-left pixel at (0, 0), so pixel (col, row) has its centre at (col + 0.5, row + 0.5).
///
/// **Inclusion rule:** a pixel belongs to a region when its centre lies inside the shape (on the boundary
/// counts as inside for ellipses and rectangles; polygons use the even-odd rule with half-open edges).
public struct RegionOfInterest: Sendable, Equatable {
    /// The geometric shape.
    public enum Shape: Sendable, Equatable {
        /// Ellipse with centre, semi-axes (px) and rotation `angle` in degrees, counter-clockwise on screen.
        case ellipse(centerX: Double, centerY: Double, radiusX: Double, radiusY: Double, angleDegrees: Double)
        /// Axis-aligned rectangle: top-left corner and size (px).
        case rectangle(x: Double, y: Double, width: Double, height: Double)
        /// Closed polygon through the vertices (px).
        case polygon([SIMD2<Double>])
        /// A PNG mask the size of the pane (non-zero = inside), path absolute or relative to the ROI file.
        case mask(path: String)
        /// The pixels of one label of a label image (a NIfTI mask): row-major indices in a `width` x `height`
        /// image, which must be the pane's size.
        case labels(width: Int, height: Int, indices: [Int])
    }

    let name: String
    let shape: Shape

    /// A region called `name` with `shape`.
    public init(name: String, shape: Shape) {
        self.name = name
        self.shape = shape
    }

    /// Whether the point (x, y) in pane coordinates lies inside the shape. Always false for masks.
    public func contains(x: Double, y: Double) -> Bool {
        switch shape {
        case .ellipse(let cx, let cy, let rx, let ry, let angle):
            // Screen y points down, so a counter-clockwise rotation on screen has axis (cos a, -sin a).
            let a = angle * .pi / 180
            let dx = x - cx
            let dy = y - cy
            let u = dx * cos(a) - dy * sin(a)
            let v = dx * sin(a) + dy * cos(a)
            return (u * u) / (rx * rx) + (v * v) / (ry * ry) <= 1
        case .rectangle(let rx, let ry, let w, let h):
            return x >= rx && x <= rx + w && y >= ry && y <= ry + h
        case .polygon(let points):
            var inside = false
            var j = points.count - 1
            for i in 0..<points.count {
                let pi = points[i]
                let pj = points[j]
                if (pi.y > y) != (pj.y > y) {
                    let crossing = (pj.x - pi.x) * (y - pi.y) / (pj.y - pi.y) + pi.x
                    if x < crossing { inside.toggle() }
                }
                j = i
            }
            return inside
        case .mask, .labels:
            return false
        }
    }

    /// Bounding box (minX, minY, maxX, maxY) of the shape, or nil for masks.
    var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)? {
        switch shape {
        case .ellipse(let cx, let cy, let rx, let ry, let angle):
            let a = angle * .pi / 180
            let hx = ((rx * cos(a)) * (rx * cos(a)) + (ry * sin(a)) * (ry * sin(a))).squareRoot()
            let hy = ((rx * sin(a)) * (rx * sin(a)) + (ry * cos(a)) * (ry * cos(a))).squareRoot()
            return (cx - hx, cy - hy, cx + hx, cy + hy)
        case .rectangle(let x, let y, let w, let h):
            return (x, y, x + w, y + h)
        case .polygon(let points):
            let xs = points.map(\.x)
            let ys = points.map(\.y)
            return (xs.min() ?? 0, ys.min() ?? 0, xs.max() ?? 0, ys.max() ?? 0)
        case .mask, .labels:
            return nil
        }
    }
}
