import Athanor
import Hummingbird

extension APIRoutes {
    func addMetricRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/metrics") { request, _ in
            let query = try QueryParameters(request)
            let runs = try Self.runList(query)
            var metricQuery = MetricQuery()
            if let name = query.get("x") {
                guard let axis = MetricAxis(rawValue: name) else {
                    throw APIError.badRequest("`x` must be step, time or wall, not \"\(name.prefix(100))\"")
                }
                metricQuery.axis = axis
            }
            metricQuery.from = try Self.number(query, "from")
            metricQuery.to = try Self.number(query, "to")
            if let points = try Self.number(query, "points") {
                guard points >= 4, points <= Double(MetricQuery.maximumPoints), points == points.rounded() else {
                    throw APIError.badRequest("`points` must be a whole number from 4 to \(MetricQuery.maximumPoints)")
                }
                metricQuery.points = Int(points)
            }
            if let smoothing = try Self.number(query, "smoothing") {
                guard smoothing >= 0, smoothing < 1 else {
                    throw APIError.badRequest("`smoothing` must be at least 0 and below 1, not \(smoothing)")
                }
                metricQuery.smoothing = smoothing
            }
            let keys = query.get("keys").map { $0.split(separator: ",").map(String.init) }
            let curves = try handling { try lab.metrics(of: runs, keys: keys, query: metricQuery) }
            return JSONResponse.make([
                "x": .string(metricQuery.axis.rawValue), "points": .integer(Int64(metricQuery.points)),
                "runs": .array(curves.map(\.json)),
            ])
        }

        router.get("/api/compare") { request, _ in
            let runs = try Self.runList(try QueryParameters(request))
            return JSONResponse.make(try await handling { try await lab.compare(runs) }.json)
        }
    }

    /// `runs=A,B,C`: run IDs or prefixes, each checked.
    private static func runList(_ query: QueryParameters) throws -> [String] {
        guard let list = query.get("runs"), !list.isEmpty else {
            throw APIError.badRequest("`runs` is required: run IDs (or unique prefixes), comma-separated")
        }
        let runs = list.split(separator: ",").map(String.init)
        for run in runs where !Identifier.isValidPrefix(run.lowercased()) {
            throw APIError.badRequest("\"\(run.prefix(100))\" in `runs` is not a valid run ID")
        }
        return runs
    }

    /// A number query parameter, if given.
    private static func number(_ query: QueryParameters, _ name: String) throws -> Double? {
        guard let text = query.get(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw APIError.badRequest("`\(name)` must be a number, not \"\(text.prefix(100))\"")
        }
        return value
    }
}
