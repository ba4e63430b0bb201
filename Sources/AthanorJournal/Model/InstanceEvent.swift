/// An event of an instance journal (`instances/<instance>.jsonl`).
///
/// Instance journals have no terminal event (a deleted instance's journal stays, so its runs
/// keep their context) and stay plain text when closed.
public enum InstanceEvent: JournalPayload, Hashable {
    /// The instance was created (always the first event).
    case created(InstanceCreated)
    /// Some fields changed; absent fields kept their value.
    case updated(InstanceUpdate)
    /// The instance was deleted (soft: its journal and its runs stay).
    case deleted

    public var typeName: String {
        switch self {
        case .created: "instance_created"
        case .updated: "instance_updated"
        case .deleted: "instance_deleted"
        }
    }

    public var isTerminal: Bool { false }

    public var isLifecycle: Bool { true }

    public func encodeFields(into encoder: inout JSONLineEncoder) throws(JSONEncodingError) {
        switch self {
        case .created(let created):
            encoder.appendRaw(#","type":"instance_created","instance":"#)
            encoder.appendString(created.instance)
            encoder.appendKey("name")
            encoder.appendString(created.name)
            encoder.appendKey("description")
            encoder.appendString(created.description)
            encoder.appendKey("experiment")
            encoder.appendString(created.experiment)
            encoder.appendKey("config")
            try encoder.appendValue(created.config, field: "config")
            if let resources = created.resources {
                encoder.appendKey("resources")
                try encoder.appendValue(resources, field: "resources")
            }
        case .updated(let update):
            encoder.appendRaw(#","type":"instance_updated""#)
            if let name = update.name {
                encoder.appendKey("name")
                encoder.appendString(name)
            }
            if let description = update.description {
                encoder.appendKey("description")
                encoder.appendString(description)
            }
            if let config = update.config {
                encoder.appendKey("config")
                try encoder.appendValue(config, field: "config")
            }
            if let resources = update.resources {
                encoder.appendKey("resources")
                try encoder.appendValue(resources, field: "resources")
            }
        case .deleted:
            encoder.appendRaw(#","type":"instance_deleted""#)
        }
    }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> InstanceEvent? {
        switch typeName {
        case "instance_created":
            return .created(
                InstanceCreated(
                    instance: try fields.string("instance"), name: try fields.string("name"),
                    description: try fields.optionalString("description") ?? "",
                    experiment: try fields.string("experiment"), config: try fields.json("config"),
                    resources: try fields.optionalJSON("resources")))
        case "instance_updated":
            return .updated(
                InstanceUpdate(
                    name: try fields.optionalString("name"), description: try fields.optionalString("description"),
                    config: try fields.optionalJSON("config"), resources: try fields.optionalJSON("resources")))
        case "instance_deleted":
            return .deleted
        default:
            return nil
        }
    }
}

/// The body of `instance_created`.
public struct InstanceCreated: Sendable, Hashable {
    public var instance: String
    public var name: String
    public var description: String
    public var experiment: String
    public var config: JSONValue
    /// What the instance's runs ask a scheduler for (an object; absent: the executor's defaults).
    public var resources: JSONValue?

    public init(
        instance: String, name: String, description: String, experiment: String, config: JSONValue,
        resources: JSONValue? = nil
    ) {
        self.instance = instance
        self.name = name
        self.description = description
        self.experiment = experiment
        self.config = config
        self.resources = resources
    }
}

/// The body of `instance_updated`: only the fields that changed are set.
public struct InstanceUpdate: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var config: JSONValue?
    /// The scheduler resources, replaced whole (`{}`: none of its own any more).
    public var resources: JSONValue?

    public init(name: String? = nil, description: String? = nil, config: JSONValue? = nil, resources: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.config = config
        self.resources = resources
    }
}
