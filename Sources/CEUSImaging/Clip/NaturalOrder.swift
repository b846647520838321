/// Natural filename order: digit runs compare as numbers, so `frame2` sorts before `frame10`.
public enum NaturalOrder {
    /// Whether `a` sorts before `b`. Ties in numeric value (`frame01` vs `frame1`) fall back to plain order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        var i = 0
        var j = 0
        while i < x.count && j < y.count {
            let dx = x[i].properties.numericType == .decimal && x[i].isASCII
            let dy = y[j].properties.numericType == .decimal && y[j].isASCII
            if dx && dy {
                var ei = i
                while ei < x.count && x[ei].isASCII && x[ei].properties.numericType == .decimal { ei += 1 }
                var ej = j
                while ej < y.count && y[ej].isASCII && y[ej].properties.numericType == .decimal { ej += 1 }
                let nx = String(String.UnicodeScalarView(x[i..<ei]).drop { $0 == "0" })
                let ny = String(String.UnicodeScalarView(y[j..<ej]).drop { $0 == "0" })
                if nx.count != ny.count { return nx.count < ny.count }
                if nx != ny { return nx < ny }
                i = ei
                j = ej
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        if x.count - i != y.count - j { return x.count - i < y.count - j }
        return a < b
    }
}
