import Foundation

/// Reads JSON files into `Decodable` values with errors that name the file, the line, or the field.
public enum JSONFile {
    /// Decodes `type` from the file at `path`.
    ///
    /// - Throws: ``CEUSImagingError/missingInput(path:)`` when the file does not exist,
    ///   ``CEUSImagingError/malformedJSON(path:line:column:detail:)`` for a syntax error (with its line),
    ///   ``CEUSImagingError/invalidField(path:field:detail:)`` for a value of the wrong type or a missing key.
    public static func decode<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw CEUSImagingError.missingInput(path: path) }
        guard let data = FileBytes.read(path) else {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot be read")
        }
        return try decode(type, from: data, path: path)
    }

    /// Decodes `type` from `data` read from `path` (used in messages).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw translate(error, data: data, path: path)
        } catch let error as CEUSImagingError {
            throw error
        } catch {
            throw CEUSImagingError.invalidField(path: path, field: "(file)", detail: "\(error)")
        }
    }

    static func translate(_ error: DecodingError, data: Data, path: String) -> CEUSImagingError {
        func field(_ codingPath: [any CodingKey]) -> String {
            if codingPath.isEmpty { return "(top level)" }
            return codingPath.map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Valid JSON whose value does not fit (a fraction where a whole number belongs) is not a syntax error.
            if (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil {
                return .invalidField(path: path, field: "(a value)", detail: plainWords(context.debugDescription))
            }
            let (line, column, detail) = syntaxErrorLocation(data)
            return .malformedJSON(path: path, line: line, column: column, detail: detail)
        case .dataCorrupted(let context):
            return .invalidField(path: path, field: field(context.codingPath), detail: context.debugDescription)
        case .keyNotFound(let key, let context):
            let where_ = field(context.codingPath + [key])
            return .invalidField(path: path, field: where_, detail: "missing required key \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context):
            return .invalidField(
                path: path, field: field(context.codingPath),
                detail: "expected \(readable(type))\(found(context.debugDescription))")
        case .valueNotFound(let type, let context):
            return .invalidField(
                path: path, field: field(context.codingPath), detail: "expected \(readable(type)), found null")
        @unknown default:
            return .invalidField(path: path, field: "(file)", detail: "\(error)")
        }
    }

    /// A decoder's description without Swift type names: "Parsed JSON number <1.5> does not fit in Int." becomes
    /// "the number 1.5 is not a whole number (frame indices and counts are whole numbers)".
    static func plainWords(_ description: String) -> String {
        if let match = description.firstMatch(of: /number <([^>]*)> does not fit in ([A-Za-z0-9]+)/) {
            return "the number \(match.1) is not a whole number in range (frame indices and counts are whole numbers)"
        }
        if description.contains("not valid JSON") {
            return
                "a value does not fit its field: a fraction or a negative number where a whole number belongs (excludedFrames, x, y), or a number too large"
        }
        return description.replacingOccurrences(
            of: #"\b(Swift\.)?(Double|Int|String|Array<[^>]*>|Dictionary<[^>]*>)\b"#, with: "a value",
            options: .regularExpression)
    }

    /// A JSON type in words (never a Swift type name).
    static func readable(_ type: Any.Type) -> String {
        let name = "\(type)"
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is Int32.Type: return "a whole number"
        case is String.Type: return "text in quotes"
        case is Bool.Type: return "true or false"
        default:
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list [ ... ]" }
            if name.hasPrefix("Dictionary") { return "an object { ... }" }
            return "another kind of value"
        }
    }

    /// What the decoder found instead, in words, from its description ("... but found a string instead.").
    static func found(_ description: String) -> String {
        let kinds = [
            ("string", "text"), ("number", "a number"), ("array", "a list"), ("dictionary", "an object"),
            ("bool", "true or false"), ("null", "null"),
        ]
        guard let range = description.range(of: "found ") else { return "" }
        let rest = description[range.upperBound...].lowercased()
        for (swift, words) in kinds
        where rest.hasPrefix(swift) || rest.hasPrefix("a " + swift) || rest.hasPrefix("an " + swift) {
            return ", found \(words)"
        }
        return ""
    }

    /// Line and column (from 1) of a JSON syntax error, from the parser's character offset.
    static func syntaxErrorLocation(_ data: Data) -> (Int, Int, String) {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return (1, 1, "not valid JSON")
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
            var offset = data.count
            if let range = text.range(of: "character ") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                offset = min(Int(digits) ?? data.count, data.count)
            }
            var line = 1
            var column = 1
            for byte in data.prefix(offset) {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            let detail = text.replacingOccurrences(
                of: #" around (line \d+, column \d+|character \d+)\.?"#, with: "", options: .regularExpression)
            return (line, column, detail.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
    }
}

/// The keys a JSON object may have, and the same for the objects nested in it: unknown keys are errors that name
/// the key and the closest known one, so a typo (`dynamicRangeDb`) never silently falls back to a default.
public struct JSONKeys: Sendable {
    /// Keys allowed in the object.
    let keys: [String]
    /// Keys of the objects under some keys (an object, or a list of objects).
    let nested: [String: JSONKeys]

    /// The keys `keys`, with `nested` ones for objects under some of them.
    public init(_ keys: [String], nested: [String: JSONKeys] = [:]) {
        self.keys = keys
        self.nested = nested
    }

    /// Checks the JSON in `data` (read from `path`) against these keys; syntax errors are left to the decoder.
    func check(_ data: Data, path: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return }
        try check(object, field: "", path: path)
    }

    func check(_ value: Any, field: String, path: String) throws {
        if let list = value as? [Any] {
            for (i, element) in list.enumerated() { try check(element, field: "\(field)[\(i)]", path: path) }
            return
        }
        guard let object = value as? [String: Any] else { return }
        for key in object.keys.sorted() {
            let here = field.isEmpty ? key : "\(field).\(key)"
            guard keys.contains(key) else {
                let hint =
                    Self.closest(key, among: keys).map { "did you mean \"\($0)\"?" }
                    ?? "known keys: \(keys.joined(separator: ", "))"
                throw CEUSImagingError.invalidField(path: path, field: here, detail: "unknown key \"\(key)\" (\(hint))")
            }
            if let inner = nested[key] { try inner.check(object[key]!, field: here, path: path) }
        }
    }

    /// The known key nearest to `key` (case-insensitive edit distance), when it is near enough to be a typo.
    public static func closest(_ key: String, among keys: [String]) -> String? {
        let scored = keys.map { ($0, distance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, key.count / 3) ? best.0 : nil
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension JSONFile {
    /// Decodes `type` from the file at `path` after checking that it has only the `keys` allowed.
    public static func decode<T: Decodable>(_ type: T.Type, from path: String, keys: JSONKeys) throws -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw CEUSImagingError.missingInput(path: path) }
        guard let data = FileBytes.read(path) else {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot be read")
        }
        try keys.check(data, path: path)
        return try decode(type, from: data, path: path)
    }
}
