import Athanor
import Foundation
import MCP

/// MCP servers whose tools are the ``AgentTools``: one per session (HTTP) or per process (stdio).
enum MCPServerFactory {
    static func make(tools: AgentTools) async -> MCP.Server {
        let server = MCP.Server(
            name: "athanor", version: "0.1.0", title: "Athanor",
            instructions:
                "Athanor runs experiments: list_available_modules, create_experiment, start_run, wait_for_run, then read get_run_logs and list_results.",
            capabilities: .init(
                resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(
                tools: tools.definitions.map { definition in
                    Tool(
                        name: definition.name, description: definition.description,
                        inputSchema: definition.inputSchema.mcpValue)
                })
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            var arguments = JSONObject()
            for (key, value) in (parameters.arguments ?? [:]).sorted(by: { $0.key < $1.key }) {
                arguments[key] = JSONValue(mcp: value)
            }
            do {
                let result = try await tools.call(parameters.name, arguments: arguments)
                let text = (try? result.jsonText()) ?? ""
                // Structured content must be an object: wrap lists.
                let structured: JSONValue = result.objectValue != nil ? result : ["items": result]
                return try CallTool.Result(
                    content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: structured.mcpValue,
                    isError: false)
            } catch {
                return CallTool.Result(content: [.text(text: "\(error)", annotations: nil, _meta: nil)], isError: true)
            }
        }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(
                resources: tools.recentRunResources().map {
                    Resource(name: $0.name, uri: $0.uri, mimeType: "application/json")
                })
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(
                templates: AgentTools.resourceTemplates.map {
                    Resource.Template(
                        uriTemplate: $0.template, name: $0.name, description: $0.description,
                        mimeType: "application/json")
                })
        }
        await server.withMethodHandler(ReadResource.self) { parameters in
            do {
                let value = try await tools.readResource(parameters.uri)
                return ReadResource.Result(contents: [
                    .text((try? value.jsonText()) ?? "null", uri: parameters.uri, mimeType: "application/json")
                ])
            } catch {
                throw MCPError.invalidParams("\(error)")
            }
        }
        return server
    }
}

extension JSONValue {
    /// The value as the MCP SDK represents JSON.
    var mcpValue: MCP.Value {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .integer(let number): Int(exactly: number).map { MCP.Value.int($0) } ?? .double(Double(number))
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(\.mcpValue))
        case .object(let object): .object(Dictionary(object.members.map { ($0.key, $0.value.mcpValue) }) { $1 })
        }
    }

    /// A value from the MCP SDK (data values become data: URLs, as the SDK encodes them).
    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .integer(Int64(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data):
            self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let elements): self = .array(elements.map(JSONValue.init(mcp:)))
        case .object(let object):
            self = .object(
                JSONObject(
                    object.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: JSONValue(mcp: $0.value)) }))
        }
    }
}
