/// An optional value that is rarely set and large, kept behind one shared reference so the struct holding it
/// stays small: the daemon holds a `Decision` (with its `RuleMatch`es) for every notable or upcoming job
/// of every cluster until a poll ends, so their size is its peak memory. Immutable once stored (a new value
/// gets a new box); equal and hashed by value.
@propertyWrapper
public struct Boxed<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Storage: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage?

    public init(wrappedValue: Value?) {
        storage = wrappedValue.map(Storage.init)
    }

    public var wrappedValue: Value? {
        get { storage?.value }
        set { storage = newValue.map(Storage.init) }
    }

    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs.wrappedValue == rhs.wrappedValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(wrappedValue) }
}
