import ArgumentParser
import DocIntake

/// The retention rules' durations, shared by `retention` and `serve`.
struct RetentionPolicyOptions: ParsableArguments {
    @Option(help: "Years documents of an approved application are kept, counted from the April 1 (Japan time) after approval.")
    var approvedYears: Int = RetentionPolicy.defaultApprovedYears

    @Option(help: "Days documents of a rejected or withdrawn application are kept.")
    var rejectedDays: Int = RetentionPolicy.defaultRejectedDays

    @Option(help: "Days an application may stay returned before it is closed as withdrawn and its documents deleted.")
    var returnedDays: Int = RetentionPolicy.defaultReturnedDays

    @Option(help: "Grace period in hours for unreferenced blobs and stale temp files.")
    var graceHours: Double = RetentionPolicy.defaultGrace / 3600

    @Option(help: "Days a delivered notice's .eml file stays in <data>/outbox (at most as long as its application's documents).")
    var noticeFileDays: Int = RetentionPolicy.defaultNoticeFileDays

    func validate() throws {
        guard approvedYears >= 0, rejectedDays >= 0, returnedDays >= 0, noticeFileDays >= 0 else {
            throw ValidationError("retention durations cannot be negative")
        }
        guard graceHours >= 0, graceHours.isFinite else { throw ValidationError("--grace-hours cannot be negative") }
    }

    var policy: RetentionPolicy {
        RetentionPolicy(
            approvedYears: approvedYears, rejectedDays: rejectedDays, returnedDays: returnedDays,
            blobGrace: graceHours * 3600, stagingGrace: graceHours * 3600, noticeFileDays: noticeFileDays)
    }
}
