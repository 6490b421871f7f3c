/// Unbuffered writes to stdout and stderr, so lines appear at once even when piped (scripts wait for them).
package enum Console {
    package static func out(_ line: String) { write(fd: 1, line + "\n") }
    package static func err(_ line: String, newline: Bool = true) { write(fd: 2, newline ? line + "\n" : line) }

    package static func write(fd: Int32, _ text: String) {
        // Nothing to do about a console that cannot be written to.
        _ = FileDescriptor.writeAll(fd, Array(text.utf8))
    }
}
