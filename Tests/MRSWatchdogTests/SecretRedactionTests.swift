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
        ("[--password, my pass, --user, u]", "[--password, ***, --user, u]"),
        // Found by review: a document inside list text, map values with spaces, `}` inside a value.
        (
            #"[--conf-json, {"a.key":"AK","x.secret.key":"SK"}, --class, x.Main]"#,
            #"[--conf-json, {"a.key":"AK","x.secret.key":"***"}, --class, x.Main]"#
        ),
        (#"[{"k": "v", "password": "x y"}, --class, X]"#, #"[{"k": "v", "password": "***"}, --class, X]"#),
        ("{spark.password=my secret pass, q=1}", "{spark.password=***, q=1}"),
        ("{spark.password=my, secret pass, q=1}", "{spark.password=***, ***, q=1}"),
        ("{password=ab}c, q=1}", "<unparsed, 1 KB withheld>"),
        ("{a=[1, 2], token=T1, b={c=d, e=f}}", "{a=[1, 2], token=***, b={c=d, e=f}}"),
        (#"--conf-json {"x.secret.key":"SK"} --class X"#, #"--conf-json {"x.secret.key":"***"} --class X"#),
        (#"--password-json {"a":"b"} --class X"#, "--password-json *** --class X"),
        ("-Dsecret.key={a b} -Dx=1", "-Dsecret.key=*** -Dx=1"),
        ("password: my pass\nq: 1", "password: *** ***\nq: 1"),
        // Found by review: Oracle logins, customer-provided encryption keys, `*_PASS`.
        (
            "[import, --connect, jdbc:oracle:thin:scott/tiger@//db:1521/ORCL, --table, t]",
            "[import, --connect, jdbc:oracle:thin:scott/***@//db:1521/ORCL, --table, t]"
        ),
        ("[sqlplus, scott/tiger@ORCL, @script.sql]", "[sqlplus, scott/***@ORCL, @script.sql]"),
        ("[obs://bucket/dir/file@v2, hdfs:/a/b@c]", "[obs://bucket/dir/file@v2, hdfs:/a/b@c]"),
        (
            "{fs.obs.server-side-encryption-key=K7gNU3sdo+OL0w/pe/Unols=, fs.s3a.encryption.key=K2}",
            "{fs.obs.server-side-encryption-key=***, fs.s3a.encryption.key=***}"
        ),
        (
            "[--conf, spark.yarn.appMasterEnv.DB_PASS=s3cr3t, --conf, a.bypass=1]",
            "[--conf, spark.yarn.appMasterEnv.DB_PASS=***, --conf, a.bypass=1]"
        ),
        (
            "{fs.azure.account.key.acct.blob.core.windows.net=KEY1, ssl.key.passphrase=PP1}",
            "{fs.azure.account.key.acct.blob.core.windows.net=***, ssl.key.passphrase=***}"
        ),
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
            "Bearer", "credentials", "sign", "ature", "ſecret", "PASS", "bypass", "pas", "s",
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

    /// Random secret and plain keys, values and the shapes MRS returns (JSON objects compact or spaced, map
    /// text, list text, JSON arrays, command lines, secret-named flags): no value under a secret-looking key,
    /// or after a secret-named flag, ever appears in the redacted text, plainly or JSON-escaped.
    @Test func noSecretValueSurvivesAnyShape() {
        var random = SplitMix64(seed: 0x5EC2_E701)
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let secretKeys = [
            "fs.obs.secret.key", "fs.obs.access.key", "hive.password", "api-token", "obs.sk", "DB_PASSWD",
            "x.credential", "Authorization", "spark.ssl.keyPassword", "FS_OBS_ACCESS_KEY", "DB_PASS",
            "fs.obs.server-side-encryption-key", "fs.azure.account.key.a.blob.core.windows.net",
        ]
        let plainKeys = ["spark.executor.cores", "queue", "app.name", "task", "desk", "watchdog.max_runtime"]
        let flags = ["--db-password", "--api-key", "--secret", "--token"]
        let tokenCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:@._-")
        let jsonCharacters = tokenCharacters + Array(" ,{}[]\"'\\\u{7}é作")
        func value(_ characters: [Character]) -> String {
            "Zq" + String((0..<Int.random(in: 6...14, using: &random)).map { _ in pick(characters) })
        }
        // Map values may hold spaces, commas and brackets, not `key=` after a comma (which map text cannot tell
        // from a new entry).
        let mapCharacters = tokenCharacters.filter { $0 != "=" && $0 != ":" } + Array(" , ,{}[]'\"")
        var checked = 0
        for _ in 0..<6_000 {
            let shape = Int.random(in: 0..<10, using: &random)
            let json = [0, 1, 4, 7, 9].contains(shape)
            var secrets: [String] = []
            var pairs: [(key: String, value: String)] = []
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let secret = Bool.random(using: &random)
                let entry = (
                    key: secret ? pick(secretKeys) : pick(plainKeys),
                    value: value(json ? jsonCharacters : shape == 8 ? mapCharacters : tokenCharacters)
                )
                if secret { secrets.append(entry.value) }
                pairs.append(entry)
            }
            let text: String
            switch shape {
            case 0:
                text =
                    "{" + pairs.map { JSONText.quoted($0.key) + ":" + JSONText.quoted($0.value) }.joined(separator: ",")
                    + "}"
            case 1:
                text =
                    "{ "
                    + pairs.map { JSONText.quoted($0.key) + ": " + JSONText.quoted($0.value) }.joined(separator: ", ")
                    + " }"
            case 2: text = "{" + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
            case 3:
                text =
                    "[" + pairs.map { "--conf, \($0.key)=\($0.value)" }.joined(separator: ", ") + ", --class, x.Main]"
            case 4:
                text =
                    "["
                    + pairs.map { "\"--conf\", " + JSONText.quoted("\($0.key)=\($0.value)") }.joined(separator: ", ")
                    + "]"
            case 5:
                text = pairs.map { pick(["--conf ", "-D", "--conf="]) + "\($0.key)=\($0.value)" }.joined(separator: " ")
            case 7, 9:
                // A compact document as one element of list text, or inside a command line.
                let document =
                    "{" + pairs.map { JSONText.quoted($0.key) + ":" + JSONText.quoted($0.value) }.joined(separator: ",")
                    + "}"
                text =
                    shape == 7
                    ? "[--conf-json, \(document), --class, x.Main]" : "--conf-json \(document) --class x.Main"
            case 8: text = "{" + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
            default:
                let secret = value(tokenCharacters)
                secrets.append(secret)
                text =
                    Bool.random(using: &random)
                    ? "[--class, x.Main, \(pick(flags)), \(secret), --user, etl]"
                    : "[\"--class\", \"x.Main\", \"\(pick(flags))\", \"\(secret)\"]"
            }
            let redacted = SecretRedaction.redact(text) ?? ""
            for secret in secrets {
                checked += 1
                let escaped = String(JSONText.quoted(secret).dropFirst().dropLast())
                #expect(!redacted.contains(secret) && !redacted.contains(escaped), "\(text) → \(redacted)")
            }
        }
        #expect(checked > 5_000, "the property must be exercised")
    }

    /// The shape 0.2 got wrong (compact JSON), and text that looks like JSON but is not: nothing of it is kept.
    @Test func compactJSONIsReadAsJSONAndBrokenJSONIsWithheld() {
        #expect(
            SecretRedaction.redact(#"{"fs.obs.secret.key":"SK9/x+y","fs.obs.access.key":"AK9","spark.app.name":"etl"}"#)
                == #"{"fs.obs.secret.key":"***","fs.obs.access.key":"***","spark.app.name":"etl"}"#)
        #expect(SecretRedaction.redact(#"{"fs.obs.secret.key":"SK9","a":"#) == "<unparsed, 1 KB withheld>")
        #expect(SecretRedaction.redact(#"[--password, "hunter2, x]"#) == "<unparsed, 1 KB withheld>")
        #expect(
            SecretRedaction.redact(#"{"opts": "-Dfs.obs.secret.key=SK9 -Dx=1"}"#)
                == #"{"opts": "-Dfs.obs.secret.key=*** -Dx=1"}"#)
    }
}
