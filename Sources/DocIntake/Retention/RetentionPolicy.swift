import Foundation

/// How long things are kept: domain.md's retention table, every duration configurable.
///
/// Durations in days are exact multiples of 24 hours, counted from the moment the application
/// entered its status (`statusChangedAt`). The approved rule counts in Japanese fiscal years,
/// as Japanese public records do: from the first April 1 (Japan time) after the approval.
public struct RetentionPolicy: Sendable, Equatable, Codable {
    /// Years kept after the April 1 following approval.
    public var approvedYears: Int
    /// Days kept after rejection, and after withdrawal.
    public var rejectedDays: Int
    /// Days an application may stay `returned` before it is closed as `withdrawn`.
    public var returnedDays: Int
    /// Unreferenced blobs and orphan blob files younger than this stay. Collection is safe at any
    /// value (it runs under the uploads' write lock); the grace is a second line of defence.
    public var blobGrace: TimeInterval
    /// Temp files under `<data>/tmp/` younger than this stay. Nothing but their age tells an
    /// abandoned temp file from one an upload is still writing, so keep this well above the
    /// longest upload.
    public var stagingGrace: TimeInterval
    /// Days a delivered notice's `.eml` file stays in `<data>/outbox/` (never past its
    /// application's documents).
    public var noticeFileDays: Int

    /// domain.md's defaults: 5 years, 365 days, 180 days, 24 hours.
    public static let defaultApprovedYears = 5
    /// See `defaultApprovedYears`.
    public static let defaultRejectedDays = 365
    /// See `defaultApprovedYears`.
    public static let defaultReturnedDays = 180
    /// See `defaultApprovedYears`.
    public static let defaultGrace: TimeInterval = 24 * 3600
    /// Long enough to answer "did the mail go out?", short against the documents' years.
    public static let defaultNoticeFileDays = 30

    /// A policy; every duration defaults to domain.md's.
    public init(
        approvedYears: Int = Self.defaultApprovedYears, rejectedDays: Int = Self.defaultRejectedDays,
        returnedDays: Int = Self.defaultReturnedDays, blobGrace: TimeInterval = Self.defaultGrace,
        stagingGrace: TimeInterval = Self.defaultGrace, noticeFileDays: Int = Self.defaultNoticeFileDays
    ) {
        self.approvedYears = approvedYears
        self.rejectedDays = rejectedDays
        self.returnedDays = returnedDays
        self.blobGrace = blobGrace
        self.stagingGrace = stagingGrace
        self.noticeFileDays = noticeFileDays
    }

    /// The statuses whose applications a rule applies to.
    static let governedStatuses: Set<ApplicationStatus> = [.approved, .rejected, .withdrawn, .returned]

    /// The rule for an application in `status` since `since`, and the moment from which its
    /// documents may be deleted; nil for a status no rule governs (still in progress).
    func due(status: ApplicationStatus, since: Date) -> (rule: RetentionRule, date: Date)? {
        switch status {
        case .approved: (.approved, Self.fiscalYearStart(after: since, plusYears: approvedYears))
        case .rejected: (.rejected, since.addingTimeInterval(Double(rejectedDays) * 86400))
        case .withdrawn: (.withdrawn, since.addingTimeInterval(Double(rejectedDays) * 86400))
        case .returned: (.returned, since.addingTimeInterval(Double(returnedDays) * 86400))
        case .submitted, .underReview: nil
        }
    }

    /// The first April 1, 00:00 Japan time, strictly after `date`'s day, plus `years` years: an
    /// approval on 2025-03-31 counts from 2025-04-01, one on 2025-04-01 from 2026-04-01.
    static func fiscalYearStart(after date: Date, plusYears years: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DomainFacts.retentionTimeZone
        let day = calendar.dateComponents([.year, .month], from: date)
        let startMonth = DomainFacts.fiscalYearStartMonth
        let nextStartYear = day.month! >= startMonth ? day.year! + 1 : day.year!
        return calendar.date(from: DateComponents(year: nextStartYear + years, month: startMonth, day: 1))!
    }
}
