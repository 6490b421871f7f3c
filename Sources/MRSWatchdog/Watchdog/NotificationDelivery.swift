/// How sending one notification to one channel ended, after the dispatcher's retries: fed back to the state
/// machine, which holds `require_notice` kills until a warning is delivered and shows failing channels in
/// STATUS.
public struct NotificationDelivery: Sendable, Hashable {
    /// The channel's name: `webhook`, `smn`, or `owner ana webhook` for an owner's.
    public var channel: String
    public var event: NotificationSettings.Event
    /// The job the message was about, if it was about one.
    public var job: JobKey?
    /// Nil when delivered; otherwise why not (the last attempt's error, or that no channel serves the job).
    public var failure: String?

    public init(channel: String, event: NotificationSettings.Event, job: JobKey?, failure: String?) {
        self.channel = channel
        self.event = event
        self.job = job
        self.failure = failure
    }
}
