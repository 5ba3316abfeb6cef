// swift-tools-version:5.4
// The fuzz targets: build and run them with `fuzz/run TARGET SECONDS`, not with a plain
// `swift build`, which lacks the sanitizer flags that give libFuzzer its `main`.
// Tools 5.4 on purpose: from 5.5 on SwiftPM renames an executable's entry point and links
// `main` to `<Target>_main`, which a libFuzzer target (no Swift `main` of its own) lacks.
import PackageDescription

let package = Package(
    name: "DocIntakeFuzz",
    dependencies: [
        .package(name: "DocIntake", path: "..")
    ],
    targets: [
        /// Feeds one input to one structural checker of the Scanner through a tmpfs scratch file.
        .target(
            name: "ScannerHarness",
            dependencies: [.product(name: "Scanner", package: "DocIntake")]
        ),
        .executableTarget(name: "FuzzPDF", dependencies: ["ScannerHarness"]),
        .executableTarget(name: "FuzzPNG", dependencies: ["ScannerHarness"]),
        .executableTarget(name: "FuzzCFB", dependencies: ["ScannerHarness"]),
        .executableTarget(name: "FuzzZIP", dependencies: ["ScannerHarness"]),
        /// The multipart parser, one-shot against chunked at fuzzer-chosen split points.
        .executableTarget(
            name: "FuzzMultipart",
            dependencies: [.product(name: "Multipart", package: "DocIntake")]
        ),
    ]
)
