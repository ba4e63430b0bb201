import Foundation
import Hummingbird

/// The web UI: one page (`index.html`) for every app path, and the files beside it, served from
/// the module's resources.
struct PageRoutes: Sendable {
    private let root: URL?

    /// Files come from the module's resources, or from `ATHANOR_WEB_ROOT` when set (to work
    /// on the pages without rebuilding: `ATHANOR_WEB_ROOT=Sources/AthanorServer/Public`).
    init() {
        if let override = ProcessInfo.processInfo.environment["ATHANOR_WEB_ROOT"], !override.isEmpty {
            root = URL(fileURLWithPath: override)
        } else {
            root = Bundle.module.resourceURL?.appendingPathComponent("Public")
        }
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Response.redirect(to: "/experiments") }
        for path in ["/experiments", "/experiments/**", "/runs/**", "/compare", "/sweeps", "/sweeps/**"] {
            router.get(RouterPath(stringLiteral: path)) { _, _ in try file("index.html") }
        }
        router.get("/**") { request, _ in
            try file(String(request.uri.path.dropFirst()))
        }
    }

    /// A file of the web UI; names with anything but letters, digits, `-`, `_`, `.` and `/`,
    /// or with `..`, are refused before touching the file system.
    private func file(_ path: String) throws -> Response {
        let allowed = path.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        guard allowed, !path.contains(".."), !path.isEmpty, let root,
            let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
        else { throw HTTPError(.notFound, message: "no page or file at /\(path)") }
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType(of: path), .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
