import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The viewer's HTTP server: bound to 127.0.0.1 only, it answers the routes of the contract (README "The viewer")
/// and nothing else. Requests whose `Host` is not a loopback name get 403, which keeps other web sites out
/// (DNS rebinding); every other path, the clip's own files included, is 404.
public enum ViewerServer {
    /// Largest request body accepted (a `roi.json`): 16 MB.
    static let maximumBody = 16 << 20

    /// Whether `authority` (the `Host` header: a name and an optional port) names this machine's loopback
    /// interface: `127.0.0.1`, `localhost` or `[::1]`.
    static func isLoopback(_ authority: String?) -> Bool {
        guard var host = authority?.lowercased(), !host.isEmpty else { return false }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            return host[...close] == "[::1]"
        }
        if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            host = String(host[..<colon])
        }
        return host == "127.0.0.1" || host == "localhost"
    }

    /// Runs work off the server's threads (decoding and fitting use every core).
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func failure(_ error: any Error, status: HTTPResponse.Status = .badRequest) -> Response {
        json(JSONValue.object([("error", .string("\(error)"))]).text, status: status)
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBody)
        return Array(buffer.readableBytesView)
    }

    /// The JSON `work` makes of the request's body, computed off the server's threads; 400 with the message when
    /// it throws (an invalid region file, a region outside the pane).
    static func answer(_ request: Request, _ work: @escaping @Sendable ([UInt8]) throws -> String) async -> Response {
        do {
            let bytes = try await body(request)
            return json(try await offload { try work(bytes) })
        } catch {
            return failure(error)
        }
    }

    /// The router of the contract.
    static func router(_ state: ViewerState) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: LoopbackHostMiddleware())
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    // Nothing from elsewhere: scripts, styles and images from this page and this server only.
                    .contentSecurityPolicy:
                        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ViewerPage.html)))
        }
        router.get("/api/clip") { _, _ in json(state.clipJSON) }
        router.get("/api/frame/:file") { _, context in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".png"), file.count <= 14,
                let index = Int(file.dropLast(4)), file.dropLast(4).allSatisfy(\.isASCII),
                file.dropLast(4).allSatisfy(\.isNumber)
            else { return Response(status: .notFound) }
            do {
                guard let png = try await offload({ try state.framePNG(index) }) else {
                    return Response(status: .notFound)
                }
                return Response(
                    status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
            } catch {
                return failure(error, status: .internalServerError)
            }
        }
        router.get("/api/roi") { _, _ in json(state.regionJSON) }
        router.put("/api/roi") { request, _ in
            await answer(request) { bytes in
                try state.save(bytes)
                return JSONValue.object([("saved", .string(state.savePath))]).text
            }
        }
        router.post("/api/tic") { request, _ in await answer(request, state.curvesJSON) }
        router.post("/api/fit") { request, _ in await answer(request, state.fitJSON) }
        return router
    }

    /// Serves `state` on 127.0.0.1:`port` (0: a free port) until the process is stopped (Ctrl-C or SIGTERM).
    /// `onRunning` gets the port actually bound, once the server listens.
    public static func run(_ state: ViewerState, port: Int, onRunning: @escaping @Sendable (Int) -> Void)
        async throws
    {
        var logger = Logger(label: "echoflow-view")
        logger.logLevel = .error
        let app = Application(
            router: router(state),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "echoflow"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()
    }
}

/// Refuses (403) every request whose `Host` is not a loopback name.
struct LoopbackHostMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        // HTTP/1.1 carries the Host header as the request's authority; a request without one is refused too.
        let host = request.head.authority
        guard ViewerServer.isLoopback(host) else {
            return Response(
                status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(
                        string: "echoflow view answers only requests addressed to 127.0.0.1 or localhost\n")))
        }
        return try await next(request, context)
    }
}
