import AthanorJournal
import Foundation

/// One trial of a sweep: a parameter set and which repeat of it.
public struct SweepTrialPlan: Sendable, Equatable {
    /// A hash of the canonical parameters and the repeat index: the same trial always has the
    /// same key, however the sweep is expanded or resumed.
    public var key: String
    /// Parameter path → value, in the space's order.
    public var params: JSONObject
    public var repeatIndex: Int

    init(params: JSONObject, repeatIndex: Int) {
        self.params = params
        self.repeatIndex = repeatIndex
        key = Self.key(params: params, repeatIndex: repeatIndex)
    }

    /// The trial's configuration: `base` with each parameter set at its path.
    public func config(over base: JSONValue) -> JSONValue? {
        var config = base
        for member in params {
            guard let set = config.setting(member.value, atPath: member.key.split(separator: ".").map(String.init))
            else { return nil }
            config = set
        }
        return config
    }

    /// FNV-1a (64 bits) of the parameters' canonical JSON (keys sorted) and the repeat index,
    /// as 16 hex digits, then `-r` and the index: `3f2a9c0d1e2b4a5c-r0`.
    static func key(params: JSONObject, repeatIndex: Int) -> String {
        var encoder = JSONLineEncoder()
        try? encoder.appendValue(canonical(.object(params)))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in encoder.bytes + Array("#\(repeatIndex)".utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "-r\(repeatIndex)"
    }

    /// `value` with every object's keys sorted, so equal parameters encode equally.
    private static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(
                JSONObject(object.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: canonical($0.value)) }))
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }
}

extension SweepDefinition {
    /// Every trial, in a fixed order: each grid combination (the first parameter varying
    /// slowest), crossed with `count` random draws from `seed` when the space has random
    /// parameters, each repeated `repeats` times. Draws that repeat a parameter set already
    /// drawn are the same trial, listed once.
    public func trials() -> [SweepTrialPlan] {
        var combinations: [JSONObject] = [[:]]
        for parameter in space.parameters {
            guard case .grid(let values) = parameter.values else { continue }
            combinations = combinations.flatMap { partial in
                values.map { value in
                    var next = partial
                    next[parameter.path] = value
                    return next
                }
            }
        }
        var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        var sets: [JSONObject] = []
        for combination in combinations {
            for _ in 0..<(space.isRandom ? count : 1) {
                var set = JSONObject()
                for parameter in space.parameters {
                    set[parameter.path] =
                        parameter.values.isGrid
                        ? combination[parameter.path] ?? .null : Self.draw(parameter.values, with: &generator)
                }
                sets.append(set)
            }
        }
        var seen: Set<String> = []
        var trials: [SweepTrialPlan] = []
        for set in sets {
            for repeatIndex in 0..<repeats {
                let trial = SweepTrialPlan(params: set, repeatIndex: repeatIndex)
                if seen.insert(trial.key).inserted { trials.append(trial) }
            }
        }
        return trials
    }

    private static func draw(_ values: SweepSpace.Values, with generator: inout SplitMix64) -> JSONValue {
        let unit = generator.nextUnit()
        switch values {
        case .grid(let list), .choice(let list):
            return list[min(list.count - 1, Int(unit * Double(list.count)))]
        case .uniform(let low, let high):
            return .double(low + (high - low) * unit)
        case .logUniform(let low, let high):
            return .double(exp(log(low) + (log(high) - log(low)) * unit))
        case .integer(let low, let high):
            let span = Double(high) - Double(low) + 1
            return .integer(min(high, low + Int64(unit * span)))
        }
    }
}

/// A small, fast generator whose sequence is fixed by its seed (Steele, Lea and Flood's
/// SplitMix64), so a random sweep expands to the same trials on every machine.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
