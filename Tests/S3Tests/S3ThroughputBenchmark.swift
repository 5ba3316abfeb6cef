import Crypto
import Foundation
import NIOCore
import S3
import S3TestSupport
import Testing

/// Figures, not assertions (speed goals live in benchmarks): 100 MiB through this client and through
/// `aws s3 cp` to the same moto on loopback, and the server-side copy the content-addressed layout would use.
/// Runs only with DOCINTAKE_S3_BENCH=1; prints one line per figure.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOCINTAKE_S3_BENCH"] == "1"))
struct S3ThroughputBenchmark {
    static let size = 100 << 20
    static let partSize = 8 << 20
    static let runs = 3

    @Test func hundredMebibytes() async throws {
        let server = try await MotoServer.launch()
        do {
            try await Self.measure(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    static func measure(_ server: MotoServer) async throws {
        let configuration = try await server.freshBucket()
        let data = ByteBuffer(bytes: S3ClientTests.bytes(Self.size, seed: 99))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3bench-\(UUID().uuidString).bin")
        try Data(data.readableBytesView).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        try await S3Client.withClient(configuration) { client in
            report("sha256 of 100 MiB", try await median { _ = S3Payload.bytes(data) })
            let payload = S3Payload.bytes(data)
            report("PutObject 100 MiB (hash precomputed)", try await median { try await client.putObject(key: "put", payload: payload) })
            report(
                "multipart 100 MiB, 8 MiB parts, one at a time",
                try await median { try await Self.multipart(client, data, key: "mp", concurrency: 1) })
            report(
                "multipart 100 MiB, 8 MiB parts, 4 at a time",
                try await median { try await Self.multipart(client, data, key: "mp4", concurrency: 4) })
            report(
                "GetObject 100 MiB streamed",
                try await median {
                    var count = 0
                    for try await chunk in try await client.getObject(key: "put").body { count += chunk.readableBytes }
                    precondition(count == Self.size)
                })
            // What a staged multipart upload costs after the document's last byte: its last (short) part, the
            // completion, and the copy to the content address.
            let head = data.getSlice(at: 0, length: 96 << 20)!
            let tail = data.getSlice(at: 96 << 20, length: 4 << 20)!
            var afterLastByte: [Duration] = []
            var completions: [Duration] = []
            for run in 0..<Self.runs {
                let key = "staging/\(run)"
                let uploadId = try await client.createMultipartUpload(key: key)
                var parts: [S3UploadedPart] = []
                for (index, offset) in stride(from: 0, to: head.readableBytes, by: Self.partSize).enumerated() {
                    let slice = head.getSlice(at: offset, length: Self.partSize)!
                    parts.append(try await client.uploadPart(key: key, uploadId: uploadId, partNumber: index + 1, payload: .bytes(slice)))
                }
                let clock = ContinuousClock()
                let start = clock.now
                parts.append(try await client.uploadPart(key: key, uploadId: uploadId, partNumber: parts.count + 1, payload: .bytes(tail)))
                let beforeCompletion = clock.now
                try await client.completeMultipartUpload(key: key, uploadId: uploadId, parts: parts)
                completions.append(beforeCompletion.duration(to: clock.now))
                try await client.copyObject(from: key, to: "sha256/\(run)")
                afterLastByte.append(start.duration(to: clock.now))
            }
            report("CompleteMultipartUpload of 13 parts (100 MiB)", completions.sorted())
            report("staged multipart after the last byte: last 4 MiB part + complete + copy", afterLastByte.sorted())
            report("CopyObject 100 MiB (single-part source)", try await median { try await client.copyObject(from: "put", to: "copy1") })
            report("CopyObject 100 MiB (multipart source)", try await median { try await client.copyObject(from: "mp", to: "copy2") })
            report(
                "CopyObject 100 MiB without checksum",
                try await median { try await client.copyObject(from: "mp", to: "copy3", checksumSHA256: false) })
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in server.environment { environment[name] = value }
        let bucket = "s3://\(configuration.bucket)"
        report(
            "aws s3 cp 100 MiB upload", try await median { try await Self.run(["s3", "cp", "--quiet", file.path, "\(bucket)/cli"], environment) })
        let back = file.path + ".back"
        defer { try? FileManager.default.removeItem(atPath: back) }
        report(
            "aws s3 cp 100 MiB download", try await median { try await Self.run(["s3", "cp", "--quiet", "\(bucket)/cli", back], environment) })
    }

    static func multipart(_ client: S3Client, _ data: ByteBuffer, key: String, concurrency: Int) async throws {
        let uploadId = try await client.createMultipartUpload(key: key)
        let offsets = Array(stride(from: 0, to: data.readableBytes, by: partSize))
        var parts: [S3UploadedPart] = []
        try await withThrowingTaskGroup(of: S3UploadedPart.self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                let slice = data.getSlice(at: offsets[index], length: min(partSize, data.readableBytes - offsets[index]))!
                group.addTask { try await client.uploadPart(key: key, uploadId: uploadId, partNumber: index + 1, payload: .bytes(slice)) }
            }
            while next < min(concurrency, offsets.count) { add() }
            while let part = try await group.next() {
                parts.append(part)
                if next < offsets.count { add() }
            }
        }
        try await client.completeMultipartUpload(key: key, uploadId: uploadId, parts: parts)
    }

    /// Runs `aws` with its wait off the cooperative pool.
    static func run(_ arguments: [String], _ environment: [String: String]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/root/.pyenv/shims/aws")
                process.arguments = arguments
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                do {
                    try process.run()
                    process.waitUntilExit()
                    if process.terminationStatus == 0 {
                        continuation.resume()
                    } else {
                        continuation.resume(throwing: MotoError("aws \(arguments) exited \(process.terminationStatus)"))
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}

private func median(_ body: () async throws -> Void) async throws -> [Duration] {
    var times: [Duration] = []
    let clock = ContinuousClock()
    for _ in 0..<S3ThroughputBenchmark.runs {
        let start = clock.now
        try await body()
        times.append(start.duration(to: clock.now))
    }
    return times.sorted()
}

private func report(_ name: String, _ times: [Duration]) {
    let seconds = times.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
    let middle = seconds[seconds.count / 2]
    let rate = Double(S3ThroughputBenchmark.size) / 1_048_576 / middle
    let all = seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")
    print("S3BENCH \(name): median \(String(format: "%.3f", middle)) s (\(String(format: "%.0f", rate)) MiB/s); runs \(all)")
}
