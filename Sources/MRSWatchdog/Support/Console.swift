/// Unbuffered writes to stdout and stderr, so lines appear at once even when piped (scripts wait for them).
/// `out` and `err` pass text through `SafeText.lines`: whatever a job's owner wrote into a field reaches the
/// terminal as visible escapes, never as control sequences (`write` is for the live view's own).
package enum Console {
    package static func out(_ line: String) { write(fd: 1, SafeText.lines(line) + "\n") }
    package static func err(_ line: String, newline: Bool = true) {
        write(fd: 2, SafeText.lines(line) + (newline ? "\n" : ""))
    }

    package static func write(fd: Int32, _ text: String) {
        // Nothing to do about a console that cannot be written to.
        _ = FileDescriptor.writeAll(fd, Array(text.utf8))
    }
}
