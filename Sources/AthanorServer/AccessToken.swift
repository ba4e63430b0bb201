import Foundation
import HTTPTypes
import Hummingbird

/// Requires an access token on every request: `Authorization: Bearer <token>`, or the
/// `athanor_token` cookie that opening any page with `?token=<token>` sets (EventSource and
/// page loads cannot send headers). Used whenever the server listens beyond loopback.
struct AccessTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "athanor_token" }

    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        if Self.matches(bearer, token) || Self.matches(request.cookies[Self.cookieName]?.value, token) {
            return try await next(request, context)
        }
        if request.method == .get, !request.uri.path.hasPrefix("/api/"),
            Self.matches((try? QueryParameters(request))?.get("token"), token)
        {
            var response = Response.redirect(to: request.uri.path)
            response.setCookie(Cookie(name: Self.cookieName, value: token, path: "/", httpOnly: true))
            return response
        }
        throw APIError(
            status: .unauthorized, code: "unauthorized",
            message:
                "this server needs its access token: send `Authorization: Bearer <token>`, or open a page with ?token=<token>"
        )
    }

    /// Compares in time independent of where the strings differ.
    private static func matches(_ given: String?, _ token: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8)
        let b = Array(token.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Access tokens: generated ones, and the check that a given one can travel in a cookie.
public enum AccessToken {
    /// A new random token (32 hex digits).
    public static func generate() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Whether `token` is 16 to 256 characters of letters, digits, `-`, `_`, `.` and `~`.
    public static func isValid(_ token: String) -> Bool {
        (16...256).contains(token.count)
            && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) }
    }

    /// Whether `host` is a loopback address, where no token is needed.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
