import Testing

@testable import MRSWatchdog

/// The daemon hands its executable's start-up pages back once it is ready (issue 28).
struct ExecutablePageOutTests {
    /// This test binary is mapped like the daemon: every mapping of `/proc/self/exe` is advised, the kernel
    /// takes clean pages back (the resident file pages fall; other tests running beside this one may grow the anonymous ones), and the code still runs afterwards.
    @Test func pageOutAdvisesEveryMappingOfTheExecutableAndTheResidentSetFalls() throws {
        let before = try #require(ExecutablePageOut.residentKiB("RssFile"))
        let (bytes, failure) = ExecutablePageOut.pageOut()
        #expect(failure == nil)
        #expect(bytes >= 1_048_576, "the test binary maps at least 1 MiB of itself")
        #expect(bytes % 4096 == 0, "whole pages only")
        let after = try #require(ExecutablePageOut.residentKiB("RssFile"))
        #expect(after < before, "RssFile \(before) KiB before, \(after) KiB after")
        #expect(SafeText.line("still runs") == "still runs", "paged-out code faults back in")
    }
}
