import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A running `echoflow view` (started on a free port) and a plain HTTP/1.1 client for it, written on sockets so
/// that tests control every byte: the Host header, paths with `..` that a URL library would tidy away.
public final class ViewerProcess: @unchecked Sendable {
    public let process: Process
    /// The port the server printed.
    public let port: Int
    /// What the server printed before its address, and the address line.
    public let banner: String

    /// Starts `echoflow view` with `arguments` (the clip and flags; `--port 0` is added) and waits for the address.
    public init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.echoflow)
        process.arguments = ["view"] + arguments + ["--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                let address = text[range]
                port = Int(address.dropFirst("http://127.0.0.1:".count).dropLast())!
                banner = text
                return
            }
        }
        process.terminate()
        throw ViewerError(message: "echoflow view printed no address: \(text)")
    }

    deinit { stop() }

    /// Stops the server (SIGTERM) and waits for it.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    public struct ViewerError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// An HTTP response: status, headers (lower-cased names) and body.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as JSON (a dictionary), or nil.
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        }
    }

    /// Sends one request (`Connection: close`) and reads the whole response.
    public func request(
        _ method: String, _ path: String, body: [UInt8] = [], host: String? = nil
    ) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ViewerError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ViewerError(message: "cannot connect to 127.0.0.1:\(port)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        if !body.isEmpty || method == "PUT" || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw ViewerError(message: "send failed") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        guard
            let split = response.indices.first(where: { i in
                i + 3 < response.count && response[i] == 13 && response[i + 1] == 10 && response[i + 2] == 13
                    && response[i + 3] == 10
            })
        else { throw ViewerError(message: "no HTTP response from the server") }
        let lines = String(decoding: response[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var payload = Array(response[(split + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { payload = Self.dechunk(payload) }
        return Reply(status: status, headers: headers, body: payload)
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        while at < data.count {
            var end = at
            while end + 1 < data.count && !(data[end] == 13 && data[end + 1] == 10) { end += 1 }
            let size = Int(String(decoding: data[at..<end], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            out += data[(end + 2)..<min(data.count, end + 2 + size)]
            at = end + 2 + size + 2
        }
        return out
    }
}
