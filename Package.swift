// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "mrs-watchdog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mrs-watchdog", targets: ["mrs-watchdog"]),
        .executable(name: "mrs-emulator", targets: ["mrs-emulator"]),
        .library(name: "MRSWatchdog", targets: ["MRSWatchdog"]),
        .library(name: "MRSEmulator", targets: ["MRSEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // libsystemd, reached only through SystemdIntegration (notifications, journal records, log handler).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "SystemdIntegration",
            dependencies: [
                "CSystemd", "MRSWatchdog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The C library's wcwidth (not in Swift's Glibc module), for the live view's column widths.
        .systemLibrary(name: "CWidth"),
        // MIT Kerberos's GSSAPI for ResourceManagers behind SPNEGO: its headers at build time (libkrb5-dev), the
        // library loaded at run time only when a config asks for Kerberos.
        .target(name: "CGSSAPI", linkerSettings: [.linkedLibrary("dl")]),
        // The domain: signer, MRS client, rules, evaluator, daemon services.
        .target(
            name: "MRSWatchdog",
            dependencies: [
                "CGSSAPI", "CWidth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Prometheus text on /metrics and a /healthz for the daemon, on an optional listen address.
        .target(
            name: "MetricsEndpoint",
            dependencies: [
                "MRSWatchdog",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A local MRS endpoint with the real API's wire format and quirks.
        .target(
            name: "MRSEmulator",
            dependencies: [
                "MRSWatchdog",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "mrs-watchdog",
            dependencies: [
                "MRSWatchdog", "SystemdIntegration", "MetricsEndpoint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "mrs-emulator",
            dependencies: [
                "MRSEmulator", "MRSWatchdog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Benchmarks against mrs-emulator (make bench); figures in BENCHMARKS.md.
        .executableTarget(
            name: "mrs-watchdog-bench",
            dependencies: [
                "MRSEmulator", "MRSWatchdog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Test helpers shared by the test targets (config text); no dependencies.
        .target(name: "WatchdogTestSupport", path: "Tests/WatchdogTestSupport"),
        .testTarget(
            name: "SystemdIntegrationTests",
            dependencies: [
                "MRSWatchdog", "SystemdIntegration",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MRSWatchdogTests",
            dependencies: [
                "MRSWatchdog", "WatchdogTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "MRSWatchdog", "MRSEmulator", "MetricsEndpoint", "WatchdogTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

// Shared settings for every target (the cross-repo standard block of the server packages).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

// In-process benchmarks (make bench-core) with ordo-one's package-benchmark: declared only when asked for, so
// a plain build or test run neither fetches nor builds it.
if Context.environment["MRS_WATCHDOG_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: ["MRSWatchdog", .product(name: "Benchmark", package: "package-benchmark")],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ))
}
