import AsyncHTTPClient
import Logging
import MRSEmulator
import MRSWatchdog
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The real client against the emulator over loopback: wire format, paging, errors and retry advice.
@Suite(.timeLimit(.minutes(2)))
struct MRSClientEmulatorTests {
    @Test func pagesThroughTwoHundredFiftyJobsWithOneBasedPageNumbers() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-paging")
            for index in 0..<250 {
                try await harness.state.addJob(
                    .init(cluster: cluster, name: "job-\(index)", user: "u", startOffset: "-1h", queued: "1s"))
            }
            let before = await harness.state.requestCount
            let jobs = try await harness.client().listJobExecutions(clusterId: cluster, state: .running)
            #expect(jobs.count == 250)
            #expect(Set(jobs.map(\.jobId)).count == 250)
            #expect(jobs.allSatisfy { $0.state == .running && $0.startedTime != nil })
            // 100 + 100 + 50: the short third page ends the listing.
            #expect(await harness.state.requestCount - before == 3)
        }
    }

    @Test func exactMultipleOfThePageSizeStopsAtTotalRecord() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-exact")
            for index in 0..<200 {
                try await harness.state.addJob(.init(cluster: cluster, name: "j\(index)", startOffset: "-1h"))
            }
            let before = await harness.state.requestCount
            let jobs = try await harness.client().listJobExecutions(clusterId: cluster, state: nil)
            #expect(jobs.count == 200)
            #expect(await harness.state.requestCount - before == 2)
        }
    }

    @Test func clusterTagsAreParsedAndFilteredServerSide() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-dev", tags: ["env": "dev", "team": "data"])
            await harness.addCluster("c-prod", tags: ["env": "prod"])
            await harness.addCluster("c-none")
            let client = harness.client()
            let all = try await client.listClusters(state: "existing", tags: [:]).clusters
            #expect(all.map(\.clusterId) == ["c-dev", "c-prod", "c-none"])
            #expect(all[0].tags == ["env": "dev", "team": "data"])
            #expect(all[2].tags == [:])
            let dev = try await client.listClusters(state: "existing", tags: ["env": "dev"]).clusters
            #expect(dev.map(\.clusterId) == ["c-dev"])
            let hasTeam = try await client.listClusters(state: "existing", tags: ["team": nil]).clusters
            #expect(hasTeam.map(\.clusterId) == ["c-dev"])
        }
    }

    @Test func killIsAcceptedWith202AndTheJobEndsKilled() async throws {
        try await EmulatorHarness.run { harness in
            await harness.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.2, endShape: .finishedKilled))
            let cluster = await harness.addCluster("c-kill")
            let job = try await harness.state.addJob(.init(cluster: cluster, name: "runaway", startOffset: "-3h"))
            let client = harness.client()
            #expect(try await client.showJob(clusterId: cluster, jobId: job).state == .running)
            try await client.killJob(clusterId: cluster, jobId: job)
            try await Task.sleep(for: .milliseconds(400))
            let after = try await client.showJob(clusterId: cluster, jobId: job)
            #expect(after.isTerminal)
            #expect(after.endedKilled)
            #expect(after.state == .finished && after.jobResult == "KILLED")
            let kills = await harness.state.kills()
            #expect(kills.map(\.jobId) == [job])
            #expect(kills.first?.status == 202)
        }
    }

    @Test func serviceErrorsCarryTheirCodesAndAreNotRetried() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-errors")
            let done = try await harness.state.addJob(
                .init(cluster: cluster, name: "done", startOffset: "-2h", queued: "1s", duration: "1m"))
            let client = harness.client()

            let finished = await #expect(throws: HuaweiCloudError.self) {
                try await client.killJob(clusterId: cluster, jobId: done)
            }
            #expect(finished == .service)
            #expect(finished?.errorCode == "0175")
            #expect(finished?.errorMessage == "终止作业失败")
            #expect(finished?.retryAdvice == .never)

            let unknownJob = await #expect(throws: HuaweiCloudError.self) {
                try await client.showJob(clusterId: cluster, jobId: "nope")
            }
            #expect(unknownJob?.errorCode == "0176")
            #expect(unknownJob?.isNotFound == true)

            let unknownCluster = await #expect(throws: HuaweiCloudError.self) {
                try await client.listJobExecutions(clusterId: "no-such-cluster", state: nil)
            }
            #expect(unknownCluster?.errorCode == "12000003")
            #expect(unknownCluster?.retryAdvice == .never)
            #expect(unknownCluster?.requestId?.isEmpty == false)
        }
    }

    @Test(arguments: [
        (FaultPlanCase.throttled, HuaweiCloudError.RetryAdvice.retry, "APIG.0308"),
        (.internalError, .retry, "0166"),
        (.badGateway, .retry, "APIG.0201"),
        (.unauthorized, .authBackoff, "APIG.0301"),
    ])
    func injectedFaultsMapToTheirRetryAdvice(
        _ fault: FaultPlanCase, _ advice: HuaweiCloudError.RetryAdvice, _ code: String
    ) async throws {
        try await EmulatorHarness.run { harness in
            let error = await listingError(harness, faults: fault.plan)
            #expect(error?.errorCode == code)
            #expect(error?.retryAdvice == advice)
            if fault == .throttled { #expect(error?.retryAfterSeconds == 1) }
        }
    }

    @Test func aResetConnectionIsARetryableTransportError() async throws {
        try await EmulatorHarness.run { harness in
            var plan = FaultPlan()
            plan.rateReset = 1
            let error = await listingError(harness, faults: plan)
            guard error?.isTransport == true else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(error?.retryAdvice == .retry)
        }
    }

    @Test func aHangingServerTimesOutWithinTheRequestTimeout() async throws {
        try await EmulatorHarness.run { harness in
            var plan = FaultPlan()
            plan.rateHang = 1
            var options = MRSHTTPClient.Options()
            options.requestTimeout = .milliseconds(300)
            let started = ContinuousClock.now
            let error = await listingError(harness, faults: plan, options: options)
            #expect(error == .timeout)
            #expect(error?.retryAdvice == .retry)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func anHTMLErrorPageIsAnHTTPErrorWithItsStatusAsTheCode() async throws {
        try await EmulatorHarness.run { harness in
            var plan = FaultPlan()
            plan.rateHTML = 1
            let error = await listingError(harness, faults: plan)
            #expect(error == .http)
            #expect(error?.httpStatus == 503)
            #expect(error?.errorCode == "503")
            #expect(error?.errorMessage?.contains("503 Service Temporarily Unavailable") == true)
            #expect(error?.retryAdvice == .retry)
        }
    }

    @Test func aSuccessWithACutOffBodyIsAMalformedResponse() async throws {
        try await EmulatorHarness.run { harness in
            var plan = FaultPlan()
            plan.rateTruncated = 1
            let error = await listingError(harness, faults: plan)
            #expect(error == .malformedResponse)
            #expect(error?.operation.hasSuffix("/job-executions") == true)
        }
    }

    /// A body over the cap is refused; a job-list page over it is read again in smaller pages, so the whole
    /// listing still arrives.
    @Test func aBodyOverTheByteCapIsRefused() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-big")
            var ids: [String] = []
            for index in 0..<50 {
                ids.append(
                    try await harness.state.addJob(.init(cluster: cluster, name: "job-\(index)", startOffset: "-1h")))
            }
            var options = MRSHTTPClient.Options()
            options.maxBodyBytes = 400
            let error = await #expect(throws: HuaweiCloudError.self) {
                try await harness.client(options: options).showJob(clusterId: cluster, jobId: ids[0])
            }
            #expect(error == .bodyTooLarge)
            #expect(error?.retryAdvice == .never)
            options.maxBodyBytes = 4096
            let listed = try await harness.client(options: options).listJobExecutions(clusterId: cluster, state: nil)
            #expect(Set(listed.map(\.jobId)) == Set(ids), "read in smaller pages")
            #expect(try await harness.client().listJobExecutions(clusterId: cluster, state: nil).count == 50)
        }
    }

    @Test func aListingThatKeepsAnsweringFullPagesOfNewJobsIsCutOffAtThePageCap() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-many")
            for index in 0..<30 {
                try await harness.state.addJob(.init(cluster: cluster, name: "job-\(index)", startOffset: "-1h"))
            }
            var options = MRSHTTPClient.Options()
            options.jobPageSize = 2
            options.maxPages = 5
            let before = await harness.state.requestCount
            let error = await #expect(throws: HuaweiCloudError.self) {
                try await harness.client(options: options).listJobExecutions(clusterId: cluster, state: nil)
            }
            #expect(error == .tooManyPages)
            #expect(error?.retryAdvice == .never)
            #expect(await harness.state.requestCount - before == 5)
        }
    }

    @Test func aSignatureMadeWithOneWrongByteOfTheSecretIsRejected() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-sig")
            var secret = Array(EmulatorHarness.credentials.secretKey.utf8)
            secret[secret.count - 1] ^= 0x01
            let wrong = Credentials(
                accessKey: EmulatorHarness.credentials.accessKey, secretKey: String(decoding: secret, as: UTF8.self))
            let error = await #expect(throws: HuaweiCloudError.self) {
                try await harness.client(credentials: wrong).listJobExecutions(clusterId: cluster, state: nil)
            }
            #expect(error == .gateway)
            #expect(error?.httpStatus == 401)
            #expect(error?.errorCode == "APIG.0301")
            #expect(error?.retryAdvice == .authBackoff)
            // Nothing about the failure shows the secret.
            #expect(!String(describing: error).contains(wrong.secretKey))
            // The right secret still works.
            _ = try await harness.client().listJobExecutions(clusterId: cluster, state: nil)
        }
    }

    @Test func theServerDateIsReportedFromEveryResponse() async throws {
        let offset: Int64 = -600_000
        try await EmulatorHarness.run(clockOffsetMillis: offset) { harness in
            let cluster = await harness.addCluster("c-date")
            let seen = Mutex<Int64?>(nil)
            let client = harness.client(onServerDate: { date in seen.withLock { $0 = date } })
            _ = try await client.listJobExecutions(clusterId: cluster, state: nil)
            let serverDate = try #require(seen.withLock { $0 })
            let skew = serverDate - HostClock.nowMillis()
            // The emulator runs 10 minutes behind; the Date header has one-second resolution and is read after
            // the answer, so it can only be behind that (by more on a loaded machine), never ahead.
            #expect((-10_000...1_000).contains(skew - offset), "\(skew - offset) ms")
        }
    }

    /// With the token step required, offered, or unknown to the service (404): the provider gets credentials
    /// every way, and a plain GET is refused where the step is required.
    @Test(arguments: MetadataTokens.allCases)
    func temporaryCredentialsFromTheMetadataServiceSignWithTheirToken(_ tokens: MetadataTokens) async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-meta")
            await harness.state.setMetadataTokens(tokens)
            let plain = try await harness.http.execute(
                HTTPClientRequest(url: harness.baseURL + "/openstack/latest/securitykey"), timeout: .seconds(5))
            #expect(plain.status.code == (tokens == .required ? 401 : 200))
            let provider = MetadataCredentialProvider(http: harness.http, baseURL: harness.baseURL)
            let credentials = try await provider.credentials()
            #expect(credentials.securityToken != nil)
            // Cached until 40 minutes before expiry: the same credentials come back.
            #expect(try await provider.credentials() == credentials)
            let client = MRSHTTPClient(
                http: harness.http, endpoint: harness.endpoint, projectId: EmulatorHarness.projectId,
                credentials: provider, logger: .init(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            _ = try await client.listJobExecutions(clusterId: cluster, state: nil)
            // Without the token the emulator refuses the same key.
            var tokenless = credentials
            tokenless.securityToken = nil
            let error = await #expect(throws: HuaweiCloudError.self) {
                try await harness.client(credentials: tokenless).listJobExecutions(clusterId: cluster, state: nil)
            }
            #expect(error?.errorCode == "APIG.0301")
        }
    }
}

/// Lists the jobs of a fresh cluster under `faults`, expecting the listing to fail; returns the error.
func listingError(
    _ harness: EmulatorHarness, faults: FaultPlan, options: MRSHTTPClient.Options = .init()
) async -> HuaweiCloudError? {
    let cluster = await harness.addCluster("c-faults")
    await harness.state.setFaults(faults)
    return await #expect(throws: HuaweiCloudError.self) {
        try await harness.client(options: options).listJobExecutions(clusterId: cluster, state: nil)
    }
}

enum FaultPlanCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case throttled, internalError, badGateway, unauthorized
    var testDescription: String { rawValue }
    var plan: FaultPlan {
        var plan = FaultPlan()
        switch self {
        case .throttled: plan.rate429 = 1
        case .internalError: plan.rate500 = 1
        case .badGateway: plan.rate502 = 1
        case .unauthorized: plan.authFailure = true
        }
        return plan
    }
}
