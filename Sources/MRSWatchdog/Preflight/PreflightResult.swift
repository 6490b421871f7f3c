/// One line of `mrs-watchdog doctor`: what was checked, whether it passed, what was found, and how to fix
/// it when it did not.
public struct PreflightResult: Sendable, Hashable {
    public var check: String
    public var passed: Bool
    public var detail: String
    public var hint: String?

    public init(_ check: String, passed: Bool, _ detail: String, hint: String? = nil) {
        self.check = check
        self.passed = passed
        self.detail = detail
        self.hint = hint
    }

    /// `✔ check: detail`, or `✘ check: detail` and an indented `fix:` line; what MRS sent (error messages,
    /// cluster states) cannot move the cursor or colour the terminal.
    public var text: String {
        var text = "\(passed ? "✔" : "✘") \(check): \(TerminalText.printable(detail))"
        if !passed, let hint { text += "\n    fix: \(hint)" }
        return text
    }
}
