import AWS

/// config.json's pool-wide settings (`PoolSettings`) as calls on the new pool, after its clients and
/// domain: UI customization, branding per client, log delivery, threat protection, terms per client.
extension ConfigurationBlueprint {
    static func settings(_ input: Input, into b: inout ConfigurationBlueprint, cli: String) {
        guard let config = input.config else { return }
        if let ui = config["ui"]?.objectValue {
            if let css = ui["CSS"]?.stringValue, !css.isEmpty {
                b.steps.append(
                    Step(
                        kind: .ui, name: "pool", operation: "SetUICustomization", category: .userPoolResourceUpdate,
                        input: ["CSS": .string(css)]))
            }
            if let image = ui["ImageUrl"]?.stringValue, !image.isEmpty {
                b.notCarried.append(
                    "UI customization: the logo (\(image)) is not in the snapshot, only its address; download it and set it: \(cli) set-ui-customization --user-pool-id \(PoolBlueprint.newPoolId) --image-file fileb://logo.png"
                )
            }
        }
        for style in config["branding"]?.arrayValue ?? [] {
            guard let o = style.objectValue, let old = o["ClientId"]?.stringValue else { continue }
            var request: [String: JSONValue] = [:]
            for k in ["UseCognitoProvidedValues", "Settings", "Assets"] { if let v = o[k], v != .null { request[k] = v } }
            b.steps.append(
                Step(
                    kind: .branding, name: o["ClientName"]?.stringValue ?? old, operation: "CreateManagedLoginBranding",
                    category: .userPoolResourceUpdate, input: .object(request), clientRef: old))
        }
        if let logs = config["logDelivery"]?.arrayValue, !logs.isEmpty {
            let elsewhere = logs.flatMap(destinationARNs).filter { arn in
                // An S3 bucket's ARN names no region.
                PoolBlueprint.arnRegion(arn).map { $0 != input.region } ?? false
            }
            if elsewhere.isEmpty {
                b.steps.append(
                    Step(
                        kind: .logDelivery, name: "pool", operation: "SetLogDeliveryConfiguration", category: .userPoolResourceUpdate,
                        input: ["LogConfigurations": .array(logs)]))
            } else {
                b.notCarried.append(
                    "log delivery: its destinations (\(elsewhere.joined(separator: ", "))) are in another region than \(input.region); make them there and set them: \(cli) set-log-delivery-configuration --user-pool-id \(PoolBlueprint.newPoolId) --log-configurations file://logs.json (snap cat REF config shows the old ones)"
                )
            }
        }
        if let risk = config["risk"]?.objectValue {
            var request: [String: JSONValue] = [:]
            for k in ["CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration", "RiskExceptionConfiguration"] {
                if let v = risk[k], v != .null { request[k] = v }
            }
            if let source = risk["AccountTakeoverRiskConfiguration"]?["NotifyConfiguration"]?["SourceArn"]?.stringValue,
                PoolBlueprint.arnRegion(source) != input.region
            {
                b.notes.append(
                    "threat protection: its notification email is sent through \(source), in another region; set a SES identity in \(input.region) with \(cli) set-risk-configuration if the old one cannot serve the new pool"
                )
            }
            if !request.isEmpty {
                b.steps.append(
                    Step(
                        kind: .risk, name: "pool", operation: "SetRiskConfiguration", category: .userPoolResourceUpdate,
                        input: .object(request)))
            }
        }
        for terms in config["terms"]?.arrayValue ?? [] {
            guard let o = terms.objectValue, let old = o["ClientId"]?.stringValue, let name = o["TermsName"]?.stringValue else { continue }
            var request: [String: JSONValue] = [:]
            for k in ["TermsName", "TermsSource", "Enforcement", "Links"] { if let v = o[k], v != .null { request[k] = v } }
            b.steps.append(
                Step(
                    kind: .terms, name: name, operation: "CreateTerms", category: .userPoolResourceUpdate, input: .object(request),
                    clientRef: old))
        }
    }

    /// The ARNs a log configuration delivers to (CloudWatch Logs group, S3 bucket, Firehose stream).
    static func destinationARNs(_ log: JSONValue) -> [String] {
        [
            log["CloudWatchLogsConfiguration"]?["LogGroupArn"], log["S3Configuration"]?["BucketArn"],
            log["FirehoseConfiguration"]?["StreamArn"],
        ].compactMap { $0?.stringValue }
    }
}
