import ArgumentParser
@main struct WatchdogCommand: AsyncParsableCommand { func run() async throws {} }
