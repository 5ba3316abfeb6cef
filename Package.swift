// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "DocIntake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "docintake", targets: ["docintake"]),
        .library(name: "DocIntake", targets: ["DocIntake"]),
        .executable(name: "docintake-review", targets: ["docintake-review"]),
        // The fuzz package (fuzz/) depends on these two alone.
        .library(name: "Scanner", targets: ["Scanner"]),
        .library(name: "Multipart", targets: ["Multipart"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Hummingbird's own dependencies, named because DocIntake imports HTTPTypes and NIOHTTPTypes.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        /// libmagic, from Debian's libmagic-dev.
        .systemLibrary(
            name: "CMagic",
            pkgConfig: "libmagic",
            providers: [.apt(["libmagic-dev"])]
        ),
        /// zlib itself, from Debian's zlib1g-dev (compress-nio links it too): the Scanner takes its CRC-32.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// What a file really is, judged by its bytes. compress-nio is the system zlib, which inflates
        /// PNG image data and ZIP entries ~40× faster than the hand-written inflater it replaced (BENCHMARKS.md).
        .target(
            name: "Scanner",
            dependencies: [
                "Backpressure", "CMagic", "CZlib", .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Back-pressure that suspends instead of blocking: an upload's bytes wait for a consumer on a queue of its own.
        .target(
            name: "Backpressure",
            swiftSettings: swiftSettings
        ),
        /// The JSON the server writes and the reviewer client reads, declared once (openapi.yaml's schemas).
        /// Foundation only, so that a client needs nothing of the server to speak the API.
        .target(
            name: "DocIntakeAPI",
            swiftSettings: swiftSettings
        ),
        /// Text measured in terminal columns, for the operator's and the reviewers' tables.
        .target(
            name: "DisplayText",
            swiftSettings: swiftSettings
        ),
        /// A bounded, streaming multipart/form-data parser.
        .target(
            name: "Multipart",
            swiftSettings: swiftSettings
        ),
        /// clamd's INSTREAM protocol: a virus scan fed the bytes of an upload as they arrive.
        .target(
            name: "Antivirus",
            dependencies: ["Backpressure"],
            swiftSettings: swiftSettings
        ),
        /// sync_file_range(2), which Swift's Glibc module does not export.
        .target(name: "CWriteback"),
        /// One malloc arena for the server's process, set as its executable loads (COneArena.h).
        .target(name: "COneArena"),
        /// A file being written made durable a few MiB behind its writer: uploads, and the
        /// reviewers' downloads.
        .target(
            name: "Writeback",
            dependencies: ["CWriteback"],
            swiftSettings: swiftSettings
        ),
        /// Content-addressed blobs and the metadata that links them to applications: SQLite (the
        /// embedded default) or PostgreSQL (several servers sharing one database); the blobs in a
        /// directory (the default) or an S3-compatible bucket.
        .target(
            name: "Storage",
            dependencies: [
                // The wire vocabulary (statuses, slots, kinds) is what the records store; Foundation only, no HTTP.
                "DocIntakeAPI", "S3", "Writeback",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// A small S3 client of our own (no Swift S3 SDK is in the mirror): SigV4 header signing and the object,
        /// multipart and listing calls, on AsyncHTTPClient and swift-crypto. Knows nothing of DocIntake.
        .target(
            name: "S3",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The service: the application model, intake, review and retention, and the HTTP API.
        .target(
            name: "DocIntake",
            dependencies: [
                "DocIntakeAPI", "DisplayText", "Scanner", "Storage", "Multipart", "Antivirus",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The applicant's web form: pages, style sheet and scripts, served from memory.
            resources: [.copy("Web/Assets")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "docintake",
            dependencies: [
                "DocIntake", "DisplayText", "Antivirus", "Scanner", "COneArena",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The reviewers' HTTP client: talks to the review API, never to the database.
        .target(
            name: "ReviewClient",
            dependencies: [
                "DisplayText", "DocIntakeAPI", "Writeback",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "docintake-review",
            dependencies: [
                "ReviewClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Drives the server scripts of Tests/Support (a throwaway PostgreSQL cluster, a moto S3) from Swift.
        .target(name: "ScriptSupport", path: "Tests/ScriptSupport", swiftSettings: swiftSettings),
        /// A throwaway PostgreSQL cluster for the tests (Tests/Support/postgres-cluster.sh), with a fresh database per test.
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "ScriptSupport", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestSupport",
            swiftSettings: swiftSettings
        ),
        /// A throwaway moto S3 server for the tests (Tests/Support/moto-server.sh), signature checking on, a fresh bucket per test.
        .target(
            name: "S3TestSupport",
            dependencies: ["S3", "ScriptSupport"],
            path: "Tests/S3TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ScannerTests", dependencies: ["Scanner"], exclude: ["HeldOut/heldout.py"]),
        .testTarget(name: "MultipartTests", dependencies: ["Multipart"], exclude: ["Differential"]),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "DocIntakeAPI", "Storage", "PostgresTestSupport", "S3", "S3TestSupport", "Writeback",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "S3Tests",
            dependencies: [
                "S3", "S3TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AntivirusTests", dependencies: ["Antivirus"]),
        .testTarget(
            name: "ReviewClientTests",
            dependencies: [
                "DisplayText", "ReviewClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocIntakeTests",
            dependencies: [
                "DocIntake", "DocIntakeAPI", "Storage", "Scanner", "Antivirus", "docintake", "docintake-review", "PostgresTestSupport",
                "S3TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // PBKDF2, for the attacker PepperTests plays, independent of the server's code.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: [
                "Support/rawclient.py", "Support/openapi_check.py", "Support/wire_check.py", "Support/zip_entries.py", "Notices/eml_read.py",
                "Browser",
            ]
        ),
    ]
)
