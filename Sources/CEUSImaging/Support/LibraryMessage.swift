/// Messages of the C libraries (libpng, libjpeg) in plain words.
enum LibraryMessage {
    /// The words of the first rule with a key found in `message` (case-insensitive), else `otherwise`, followed by
    /// the library's own text.
    static func plainWords(
        _ message: String, library: String, rules: [(keys: [String], words: String)], otherwise: String
    ) -> String {
        let lower = message.lowercased()
        let words = rules.first { $0.keys.contains(where: lower.contains) }?.words ?? otherwise
        return "\(words) (\(library): \(message))"
    }
}
