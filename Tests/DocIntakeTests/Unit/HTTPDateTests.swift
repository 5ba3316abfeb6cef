import Foundation
import Testing

@testable import DocIntake

/// `Upload-Expires` is built by hand (a formatter per answer was costly); it must still be exactly
/// RFC 9110's IMF-fixdate, which Foundation's formatter writes for the same instant.
@Suite struct HTTPDateTests {
    @Test func itWritesWhatAFormatterWritesAcrossDaysMonthsAndYears() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SystemRandomNumberGenerator()
        // Edges (the epoch, a leap day, a year's last second) and 2,000 random instants up to 2100.
        var instants: [TimeInterval] = [0, 951_782_400, 1_798_761_599.75, 4_102_444_799]
        instants += (0..<2000).map { _ in TimeInterval(Int.random(in: 0..<4_102_444_800, using: &generator)) + 0.5 }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UploadRoutes.httpDate(date) == formatter.string(from: date), "at \(seconds)")
        }
    }
}
