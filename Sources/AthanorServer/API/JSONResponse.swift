import Athanor
import Hummingbird

/// JSON responses, with the journal's own codec (ordered keys, exact numbers).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let text =
            (try? value.jsonText()) ?? #"{"error":{"code":"internal","message":"unencodable response","details":[]}}"#
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
