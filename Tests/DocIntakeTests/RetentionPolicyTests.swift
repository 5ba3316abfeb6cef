import Foundation
import Testing

@testable import DocIntake

/// The retention table's arithmetic, and the operator's date and duration syntax.
@Suite struct RetentionPolicyTests {
    let policy = RetentionPolicy()

    @Test(arguments: [
        // Approved on the last day of fiscal 2024: counted from 2025-04-01, kept 5 years.
        ("2025-03-31T23:59:59+09:00", "2030-04-01T00:00:00+09:00"),
        // Approved on April 1 itself: that fiscal year runs to next March, so from 2026-04-01.
        ("2025-04-01T00:00:00+09:00", "2031-04-01T00:00:00+09:00"),
        // 15:00 UTC on March 31 is already April 1 in Japan.
        ("2025-03-31T15:00:00Z", "2031-04-01T00:00:00+09:00"),
        ("2025-03-31T14:59:59Z", "2030-04-01T00:00:00+09:00"),
        ("2025-12-31T23:00:00+09:00", "2031-04-01T00:00:00+09:00"),
    ])
    func approvedDocumentsAreKeptUntilTheAprilFirstAfterApprovalPlusFiveYears(approvedAt: String, due: String) async throws {
        let result = try #require(policy.due(status: .approved, since: JST.date(approvedAt)))
        #expect(result.rule == .approved)
        #expect(result.date == JST.date(due))
    }

    @Test func theOtherRulesCountDaysFromTheStatusChange() async throws {
        let since = JST.date("2025-06-01T12:00:00+09:00")
        #expect(policy.due(status: .rejected, since: since)?.date == since.addingTimeInterval(365 * day))
        #expect(policy.due(status: .withdrawn, since: since)?.date == since.addingTimeInterval(365 * day))
        #expect(policy.due(status: .returned, since: since)?.date == since.addingTimeInterval(180 * day))
        #expect(policy.due(status: .returned, since: since)?.rule == .returned)
        #expect(policy.due(status: .submitted, since: since) == nil)
        #expect(policy.due(status: .underReview, since: since) == nil)

        let custom = RetentionPolicy(approvedYears: 1, rejectedDays: 30, returnedDays: 7)
        #expect(custom.due(status: .rejected, since: since)?.date == since.addingTimeInterval(30 * day))
        #expect(custom.due(status: .returned, since: since)?.date == since.addingTimeInterval(7 * day))
        #expect(custom.due(status: .approved, since: since)?.date == JST.date("2027-04-01T00:00:00+09:00"))
    }

    @Test func operatorDatesAndDurations() {
        #expect(OperatorDate.parse("2031-04-01") == JST.date("2031-04-01T00:00:00+09:00"))
        #expect(OperatorDate.parse("2031-03-31T15:00:00Z") == OperatorDate.parse("2031-04-01"))
        #expect(OperatorDate.parse("2031-04-01T00:00:00.500+09:00") != nil)
        #expect(OperatorDate.parse("next tuesday") == nil)
        #expect(DurationText.parse("24h") == .seconds(86400))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("7d") == .seconds(7 * 86400))
        #expect(DurationText.parse("90") == .seconds(90))
        #expect(DurationText.parse("0s") == nil)
        #expect(DurationText.parse("24") == .seconds(24))
        #expect(DurationText.parse("h") == nil)
        #expect(DurationText.parse("5w") == nil)
    }

    @Test func theOperatorIsNamedFromTheEnvironmentOrThePasswordDatabase() {
        #expect(OperatorIdentity.currentUser(environment: ["USER": "yamada"]) == "yamada")
        #expect(!OperatorIdentity.currentUser(environment: [:]).isEmpty)
        #expect(OperatorIdentity.person("evil:admin\n").actor == "operator:eviladmin")
        #expect(OperatorIdentity.system("docintake").actor == "system")
    }
}
