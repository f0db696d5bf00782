// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "snap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "snap", targets: ["snap"]),
        .library(name: "AWS", targets: ["AWS"]),
        .library(name: "SnapCore", targets: ["SnapCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries, each behind a module map and a shim header.
        .systemLibrary(
            name: "CArchive", path: "Sources/CArchive",
            providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CZstd", path: "Sources/CZstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // Talking to AWS; knows nothing of snapshots.
        .target(
            name: "AWS",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The product; knows nothing of argument parsing.
        .target(
            name: "SnapCore",
            dependencies: [
                "AWS", "CArchive", "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA-PSS public keys and signatures, for verifying KMS RSA signatures offline (OfflineVerifier).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // Reading a public key's algorithm before swift-crypto parses it (OfflineVerifier).
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The thin executable.
        .executableTarget(
            name: "snap",
            dependencies: [
                "SnapCore", "AWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildInfo"]),

        // Records the commit a binary was built from, for `snap --version` and manifests.
        .plugin(name: "BuildInfo", capability: .buildTool(), path: "Plugins/BuildInfo"),

        .testTarget(name: "AWSTests", dependencies: ["AWS"], exclude: ["Support/echo_server.py", "Support/CredentialServer.py"]),
        .testTarget(
            name: "SnapCoreTests",
            dependencies: [
                "SnapCore", "AWS", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "IntegrationTests", dependencies: ["SnapCore", "AWS"]),
    ]
)
