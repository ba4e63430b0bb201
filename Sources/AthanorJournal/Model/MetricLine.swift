extension RunEvent {
    /// One value: `"key":K,"value":V,"step":S`; several: `"step":S,"values":{K:V,…}` (keys in the
    /// order given). Non-finite values are refused with the key that holds them.
    func encode(_ record: MetricRecord, into encoder: inout JSONLineEncoder) throws(JSONEncodingError) {
        if record.values.count == 1, let only = record.values.first {
            encoder.appendRaw(#","type":"metric","key":"#)
            encoder.appendString(only.key)
            encoder.appendKey("value")
            try Self.appendMetricValue(only, into: &encoder)
            encoder.appendKey("step")
            encoder.appendInteger(Int64(record.step))
            return
        }
        encoder.appendRaw(#","type":"metric","step":"#)
        encoder.appendInteger(Int64(record.step))
        encoder.appendRaw(#","values":{"#)
        for (index, value) in record.values.enumerated() {
            if index > 0 { encoder.appendRaw(",") }
            encoder.appendString(value.key)
            encoder.appendRaw(":")
            try Self.appendMetricValue(value, into: &encoder)
        }
        encoder.appendRaw("}")
    }

    private static func appendMetricValue(_ value: MetricRecord.Value, into encoder: inout JSONLineEncoder)
        throws(JSONEncodingError)
    {
        guard value.value.isFinite else { throw .nonFiniteNumber(path: "$.\(value.key)", value: value.value) }
        try encoder.appendDouble(value.value)
    }

    /// Reads either form of a `metric` line.
    static func decodeMetric(_ fields: EventFields) throws(EventDecodingError) -> MetricRecord {
        let step = try fields.integer("step")
        guard fields.contains("values") else {
            let value = try fields.json("value")
            guard let number = value.doubleValue else {
                throw EventDecodingError("field `value` must be a number")
            }
            return MetricRecord(step: step, values: [MetricRecord.Value(try fields.string("key"), number)])
        }
        guard case .object(let object) = try fields.json("values"), !object.isEmpty else {
            throw EventDecodingError("field `values` must be an object of one or more numbers")
        }
        var values: [MetricRecord.Value] = []
        values.reserveCapacity(object.count)
        for member in object {
            guard let number = member.value.doubleValue else {
                throw EventDecodingError("field `values.\(member.key)` must be a number")
            }
            values.append(MetricRecord.Value(member.key, number))
        }
        return MetricRecord(step: step, values: values)
    }
}
