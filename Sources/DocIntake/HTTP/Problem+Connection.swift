import Hummingbird

extension Problem {
    /// No body byte arrived for the idle timeout.
    static func uploadStalled(after timeout: Duration) -> Problem {
        Problem(
            status: .requestTimeout, code: "upload_stalled",
            detail: "送信が途中で止まったため受付を中止しました（\(timeout.wholeSeconds) 秒間データが届きませんでした）。もう一度送信してください。",
            detailEn: "The upload stalled: no data arrived for \(timeout.wholeSeconds) seconds. Nothing was stored; send the form again.")
    }

    /// The whole body took longer than the upload timeout.
    static func uploadTimedOut(after timeout: Duration) -> Problem {
        Problem(
            status: .requestTimeout, code: "upload_timeout",
            detail: "送信に時間がかかりすぎたため受付を中止しました（上限 \(timeout.wholeSeconds) 秒）。通信環境を確認して再度送信してください。",
            detailEn: "The upload took longer than \(timeout.wholeSeconds) seconds. Nothing was stored; check the connection and send the form again."
        )
    }

    /// The body arrived slower than the minimum rate.
    static func uploadTooSlow(minimumBytesPerSecond: Int) -> Problem {
        Problem(
            status: .requestTimeout, code: "upload_too_slow",
            detail: "送信速度が遅すぎるため受付を中止しました（毎秒 \(minimumBytesPerSecond) バイト未満）。通信環境を確認して再度送信してください。",
            detailEn:
                "The upload was slower than \(minimumBytesPerSecond) bytes per second. Nothing was stored; check the connection and send the form again."
        )
    }

    /// The request ended before its declared body did (the client closed the connection), or its
    /// chunked framing was broken.
    static let incompleteRequest = Problem(
        status: .badRequest, code: "incomplete_request",
        detail: "送信が途中で途切れました。もう一度送信してください。",
        detailEn: "The request ended before its body did. Nothing was stored; send the form again.")

    /// The cap on concurrent uploads is reached.
    static let tooManyUploads = Problem(
        status: .serviceUnavailable, code: "too_many_uploads",
        detail: "現在送信が集中しているため受け付けできません。しばらく待ってから再度送信してください。",
        detailEn: "The server is receiving too many uploads at once. Nothing was stored; try again shortly.")
}
