import Foundation
import Testing

@testable import AWS

@Suite struct ErrorDocumentTests {
    @Test func jsonErrorWithNamespacedType() {
        let r = HTTPResponse(
            status: 400, headers: [HTTPHeader("x-amzn-RequestId", "rid-1")],
            body: Data(#"{"__type":"com.amazonaws.cognito#ResourceNotFoundException","message":"User pool x does not exist."}"#.utf8))
        let d = ErrorDocument.parse(r)
        #expect(d.code == "ResourceNotFoundException")
        #expect(d.message == "User pool x does not exist.")
        #expect(d.requestId == "rid-1")
    }

    @Test func headerTypeWithURLSuffix() {
        let r = HTTPResponse(
            status: 400, headers: [HTTPHeader("X-Amzn-ErrorType", "TooManyRequestsException:http://internal")],
            body: Data(#"{"Message":"Rate exceeded"}"#.utf8))
        let d = ErrorDocument.parse(r)
        #expect(d.code == "TooManyRequestsException")
        #expect(d.message == "Rate exceeded")
    }

    @Test func xmlErrorAsSomeEndpointsSendForJSONServices() {
        let xml =
            #"<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>sig &amp; &quot;x&quot;</Message></Error></Errors><RequestId>r2</RequestId></ErrorResponse>"#
        let d = ErrorDocument.parse(HTTPResponse(status: 403, headers: [], body: Data(xml.utf8)))
        #expect(d.code == "SignatureDoesNotMatch")
        #expect(d.message == "sig & \"x\"")
        #expect(d.requestId == "r2")
        let e = AWSError.service(
            .init(service: "cognito-idp", operation: "ListUsers", status: 403, code: d.code, message: d.message, requestId: d.requestId))
        #expect(e.description.contains("the request signature does not match"))
    }

    @Test func emptyBodyFallsBackToStatus() {
        let d = ErrorDocument.parse(HTTPResponse(status: 503, headers: [], body: Data()))
        #expect(d.code == "HTTP503")
        #expect(
            AWSError.ServiceError(service: "s3", operation: "GetObject", status: 503, code: d.code, message: "", requestId: nil).isRetryable
        )
    }

    @Test func throttlingIsRetryableAccessDeniedIsNot() {
        let t = AWSError.ServiceError(
            service: "cognito-idp", operation: "ListUsers", status: 400, code: "TooManyRequestsException", message: "", requestId: nil)
        let a = AWSError.ServiceError(
            service: "cognito-idp", operation: "ListUsers", status: 400, code: "AccessDeniedException", message: "", requestId: nil)
        #expect(t.isRetryable)
        #expect(!a.isRetryable)
        #expect(AWSError.service(a).description.contains("cognito-idp:ListUsers"))
    }
}
