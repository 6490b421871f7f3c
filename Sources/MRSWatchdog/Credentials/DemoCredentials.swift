/// The key pair the emulator accepts by default and the demo uses. Not a real Huawei Cloud key.
package enum DemoCredentials {
    package static let accessKey = "DEMOACCESSKEY0000001"
    package static let secretKey = "demo-secret-key-for-mrs-emulator-only"
}
