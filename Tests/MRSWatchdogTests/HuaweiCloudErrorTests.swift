import MRSWatchdog
import Testing

/// Metric labels from errors: bounded whatever codes an endpoint makes up.
struct HuaweiCloudErrorTests {
    @Test func madeUpErrorCodesShareTheirStatusLabel() {
        let labels = Set(
            (0..<1_000).map {
                HuaweiCloudError.service(operation: "GET /x", httpStatus: 400, errorCode: "MADE.UP.\($0)").metricLabel
            })
        #expect(labels == ["http.400"])
        let odd = HuaweiCloudError.service(operation: "GET /x", httpStatus: 12_345, errorCode: "Z").metricLabel
        #expect(odd == "http.other")
    }

    @Test(arguments: ["0175", "0176", "12000003", "APIG.0301", "APIGW.0308"])
    func documentedCodesKeepTheirLabel(_ code: String) {
        let error =
            code.hasPrefix("APIG")
            ? HuaweiCloudError.gateway(operation: "GET /x", httpStatus: 429, errorCode: code)
            : HuaweiCloudError.service(operation: "GET /x", httpStatus: 400, errorCode: code)
        #expect(error.metricLabel == code)
    }
}
