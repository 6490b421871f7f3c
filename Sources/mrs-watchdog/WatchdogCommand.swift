import ArgumentParser

@main
struct WatchdogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrs-watchdog",
        abstract: "Stops runaway Huawei Cloud MRS jobs according to rules you write.",
        discussion: """
            Start by checking a policy offline, then look at what it would do live:
              mrs-watchdog check --config rules.json
              mrs-watchdog explain --config rules.json --jobs saved-job-list.json
              mrs-watchdog clusters --config rules.json
              mrs-watchdog jobs --config rules.json --cluster CLUSTER_ID
              mrs-watchdog plan --config rules.json

            Before a rule enforces, check credentials, clusters, clock and permissions:
              mrs-watchdog doctor --config rules.json

            Then run the daemon (under systemd: see systemd/mrs-watchdog.service):
              mrs-watchdog run --config rules.json --state-dir /var/lib/mrs-watchdog

            A job's owner asks for more time (up to the rule's max_extension) without root:
              mrs-watchdog extend --cluster CLUSTER_ID JOB_ID --by 2h --reason "why"

            Credentials, first found wins: $CREDENTIALS_DIRECTORY/{ak,sk,security_token} (systemd \
            LoadCredential=), HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK / HUAWEICLOUD_SDK_SECURITY_TOKEN, the SDK \
            profile (HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials, [basic]), then the ECS agency \
            metadata service.
            """,
        version: "0.1.0",
        subcommands: [
            Run.self, Check.self, Doctor.self, Explain.self, Plan.self, Clusters.self, Jobs.self, Kill.self,
            Report.self, Extend.self, Extensions.self, YarnAuditCommand.self,
        ])
}
