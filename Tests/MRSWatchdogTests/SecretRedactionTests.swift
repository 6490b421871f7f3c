import Testing

@testable import MRSWatchdog

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
        ("[--conf=spark.hadoop.fs.obs.secret.key=SK456, x]", "[--conf=spark.hadoop.fs.obs.secret.key=***, x]"),
        (
            "spark.driver.extraJavaOptions=-Dfs.obs.secret.key=SK456",
            "spark.driver.extraJavaOptions=-Dfs.obs.secret.key=***"
        ),
        ("jdbc:mysql://h/db?user=u&password=PW1&ssl=true", "jdbc:mysql://h/db?user=u&password=***&ssl=true"),
        (
            "[jdbc:mysql://admin:PW2@h:3306/db, obs://AK9:SK9@bucket/x]",
            "[jdbc:mysql://admin:***@h:3306/db, obs://AK9:***@bucket/x]"
        ),
        ("{fs.obs.secret.key = SK456, a = b}", "{fs.obs.secret.key = ***, a = b}"),
        ("{fs.obs.secret.key =SK456}", "{fs.obs.secret.key =***}"),
        (#"["--password", "hunter2", "--user", "u"]"#, #"["--password", "***", "--user", "u"]"#),
        ("{'password': 'x y, z', 'q': 'ok'}", "{'password': '***', 'q': 'ok'}"),
        ("password: x\nqueue: default", "password: ***\nqueue: default"),
        ("[--password, my pass, --user, u]", "[--password, *** ***, --user, u]"),
        ("{k.secret=SK,456, b=c}", "{k.secret=***, b=c}"),
        (#"{"k.secret":"a b"}"#, #"{"k.secret":"***"}"#),
        ("[--password\rx]", "[--password\r***]"),
        ("[--api-key, K1, --bearer-token, T1]", "[--api-key, ***, --bearer-token, ***]"),
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

    /// The byte scan finds every secret word wherever it stands and however it is written (its table reads
    /// words by their first letter, so a word that starts otherwise would be missed: this catches one).
    @Test func theFastPathSeesEverySecretWordAnywhere() {
        for word in SecretRedaction.secretWords {
            let spellings = [word, word.uppercased(), String(word.map { $0 == "." ? "_" : $0 })]
            for spelling in spellings {
                for text in [spelling, "x=\(spelling)", "\(spelling)=1", "[--conf, a.\(spelling).b=1]"] {
                    #expect(SecretRedaction.mayHoldSecret(text), "\(text)")
                }
            }
        }
    }

    /// The byte scan that lets most arguments skip the tokenizer must never skip one the tokenizer would
    /// change: random texts from pieces of keys, values, flags, URLs and odd letters.
    @Test func theFastPathOnlySkipsTextsTheTokenizerLeavesAlone() {
        var random = SplitMix64(seed: 0x5EC2_E700)
        let pieces = [
            "--conf", "spark.executor.cores=4", "-Dsk=", "-Dak=1", "fs.obs.", "SK", "Ak", "task", "mask=", "desk",
            "obs://bucket/a.jar", "http://u:p", "@host", "=", ", ", " ", "{", "}", "[", "]", "\"", "'", ":", "key",
            "TOKEN", "\u{212A}ey", "pass", "word", "PWD", "_", "-", ".", "api", "Key", "x", "1", "&", "?", ";",
            "Bearer", "credentials", "sign", "ature", "ſecret",
        ]
        var skipped = 0
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                pieces[Int.random(in: 0..<pieces.count, using: &random)]
            }.joined()
            guard !SecretRedaction.mayHoldSecret(text) else { continue }
            skipped += 1
            #expect(SecretRedaction.redactTokens(text) == text, "\(text)")
        }
        #expect(skipped > 1_000, "the property must be exercised")
    }
}
