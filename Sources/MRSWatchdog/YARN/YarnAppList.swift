/// A ResourceManager's answer to the Cluster Applications API (`GET /ws/v1/cluster/apps`):
/// `{"apps": {"app": [ … ]}}`, or `{"apps": null}` when nothing matches.
///
/// An entry that cannot be read — not an object, no well-formed `id`, an id given before, a field of the
/// wrong kind — is skipped and counted in `malformed`, so one odd application never hides the rest. A body
/// that is not JSON, or whose `apps.app` is not an array, fails whole.
public struct YarnAppList: Sendable, Hashable {
    public struct ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public var apps: [YarnApplication]
    /// Entries skipped because they could not be read.
    public var malformed: Int
    /// True when the answer held more than `limit` entries: the rest were not read.
    public var cutOff = false

    public init(apps: [YarnApplication] = [], malformed: Int = 0) {
        self.apps = apps
        self.malformed = malformed
    }

    /// - Parameter limit: the most entries read (a ResourceManager that ignores `limit` is not followed).
    /// - Throws: `ReadError` when `bytes` is not a JSON object, or its `apps` / `apps.app` has the wrong kind.
    public static func read(_ bytes: [UInt8], limit: Int = .max) throws(ReadError) -> YarnAppList {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ReadError(description: "not JSON: \(error)")
        }
        guard case .object = root.value else {
            throw ReadError(description: "expected an object, got \(root.kindName)")
        }
        guard let apps = root["apps"], apps.value != .null else { return YarnAppList() }
        guard case .object = apps.value else { throw ReadError(description: "apps is \(apps.kindName)") }
        guard let entries = apps["app"], entries.value != .null else { return YarnAppList() }
        guard case .array(let elements) = entries.value else {
            throw ReadError(description: "apps.app is \(entries.kindName)")
        }
        var list = YarnAppList()
        var seen: Set<String> = []
        for element in elements {
            guard list.apps.count + list.malformed < limit else {
                list.cutOff = true
                break
            }
            guard let app = application(element), seen.insert(app.id).inserted else {
                list.malformed += 1
                continue
            }
            list.apps.append(app)
        }
        return list
    }

    /// One entry, or nil when it cannot be read.
    static func application(_ node: JSONNode) -> YarnApplication? {
        guard case .object(let members) = node.value else { return nil }
        // A field given twice could be read either way: the entry is not trusted at all.
        var keys: Set<String> = []
        for member in members where fields.contains(member.key) {
            guard keys.insert(member.key).inserted else { return nil }
        }
        guard let id = node["id"]?.stringValue, YarnApplication.isApplicationId(id) else { return nil }
        var app = YarnApplication(id: id)
        guard let user = text(node["user"]), let queue = text(node["queue"]), let name = text(node["name"]),
            let type = text(node["applicationType"]), let tags = text(node["applicationTags"]),
            let state = text(node["state"]), let started = number(node["startedTime"]),
            let launched = number(node["launchTime"]), let elapsed = number(node["elapsedTime"])
        else { return nil }
        app.user = user
        app.queue = queue
        app.name = name
        app.applicationType = type
        app.tags = (tags ?? "").split(separator: ",").map { String($0) }
        app.state = state
        app.startedTime = started.flatMap { $0 > 0 ? $0 : nil }
        app.launchTime = launched.flatMap { $0 > 0 ? $0 : nil }
        app.elapsedTime = elapsed.flatMap { $0 >= 0 ? $0 : nil }
        return app
    }

    static let fields: Set<String> = [
        "id", "user", "queue", "name", "applicationType", "applicationTags", "state", "startedTime", "launchTime",
        "elapsedTime",
    ]

    /// A text field: absent or null reads as `.some(nil)`; any other kind than a string makes the entry
    /// unreadable (`nil`).
    private static func text(_ node: JSONNode?) -> String?? {
        guard let node else { return .some(nil) }
        switch node.value {
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        default: return nil
        }
    }

    /// An integer field (ms): absent or null reads as nil; a fraction, a number out of range or any other
    /// kind makes the entry unreadable.
    private static func number(_ node: JSONNode?) -> Int64?? {
        guard let node else { return .some(nil) }
        switch node.value {
        case .null: return .some(nil)
        case .number(let literal): return Int64(literal).map { .some($0) }
        default: return nil
        }
    }
}
