/// The key pair the emulator accepts by default and the demo uses. Not a real Huawei Cloud key.
public enum DemoCredentials {
    public static let accessKey = "DEMOACCESSKEY0000001"
    public static let secretKey = "demo-secret-key-for-mrs-emulator-only"
}
