/// A minimal XML element tree (SVG plots, XHTML reports) that renders with escaped text and attributes, so output is built as
/// values rather than by string concatenation.
public struct MarkupElement: Sendable, Equatable {
    public let name: String
    public var attributes: [(String, String)]
    public var children: [MarkupElement]
    public var text: String?

    public init(
        _ name: String, _ attributes: [(String, String)] = [], children: [MarkupElement] = [], text: String? = nil
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public static func == (a: MarkupElement, b: MarkupElement) -> Bool { a.render() == b.render() }

    /// The element as XML text.
    public func render() -> String {
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
