/// A minimal XML element tree (SVG plots, XHTML reports) that renders with escaped text and attributes, so output is built as
/// values rather than by string concatenation.
struct MarkupElement: Sendable, Equatable {
    let name: String
    var attributes: [(String, String)]
    var children: [MarkupElement]
    var text: String?

    init(
        _ name: String, _ attributes: [(String, String)] = [], children: [MarkupElement] = [], text: String? = nil
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    static func == (a: MarkupElement, b: MarkupElement) -> Bool { a.render() == b.render() }

    /// The element as XML text.
    func render() -> String {
        var out = "<\(name)"
        for (key, value) in attributes { out += " \(key)=\"\(Self.escape(value))\"" }
        if children.isEmpty && text == nil { return out + "/>" }
        out += ">"
        if let text { out += Self.escape(text) }
        for child in children { out += "\n" + child.render() }
        return out + (children.isEmpty ? "" : "\n") + "</\(name)>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
