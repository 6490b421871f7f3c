import MRSWatchdog
import Testing

/// Secret-looking values in `arguments` and `properties` are masked in every form MRS sends them.
struct SecretRedactionTests {
    @Test(arguments: [
        (
            "{fs.obs.access.key=AK123, fs.obs.secret.key=SK456, spark.executor.cores=4}",
            "{fs.obs.access.key=***, fs.obs.secret.key=***, spark.executor.cores=4}"
        ),
        (
            "[--conf, spark.hadoop.fs.obs.secret.key=SK456, --class, x.Main, obs://bucket/a.jar]",
            "[--conf, spark.hadoop.fs.obs.secret.key=***, --class, x.Main, obs://bucket/a.jar]"
        ),
        ("[-Dmapreduce.job.credentials.token=TOK, -Dx=1]", "[-Dmapreduce.job.credentials.token=***, -Dx=1]"),
        ("[--db-password, hunter2, --db-user, etl]", "[--db-password, ***, --db-user, etl]"),
        (#"{"fs.obs.secret.key": "SK456", "queue": "default"}"#, #"{"fs.obs.secret.key": "***", "queue": "default"}"#),
        (#"{"password":"p:w:d"}"#, #"{"password":"***"}"#),
        (
            "{obs.sk=SK456, obs.ak=AK123, jdbc.url=jdbc:mysql://h/db}",
            "{obs.sk=***, obs.ak=***, jdbc.url=jdbc:mysql://h/db}"
        ),
        ("secret.key=a:b:c", "secret.key=***"),
        ("[--class, x.Main, obs://bucket/a.jar, 10]", "[--class, x.Main, obs://bucket/a.jar, 10]"),
        ("{}", "{}"),
    ])
    func secretValuesAreMaskedAndEverythingElseKept(_ input: String, _ expected: String) {
        #expect(SecretRedaction.redact(input) == expected)
    }

    @Test(arguments: [
        ("fs.obs.secret.key", true), ("fs.obs.access.key", true), ("FS_OBS_ACCESS_KEY", true), ("hive.password", true),
        ("api-token", true), ("obs.sk", true), ("sk", true), ("spark.executor.cores", false), ("task", false),
        ("desk", false), ("queue", false),
    ])
    func secretKeysAreRecognised(_ key: String, _ secret: Bool) {
        #expect(SecretRedaction.isSecretKey(key) == secret)
    }
}
