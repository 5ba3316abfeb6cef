import Testing

@testable import ReviewClient

struct ContentRangeTests {
    @Test func aSatisfiedRangeIsRead() {
        let range = ContentRange("bytes 100-199/200")
        #expect(range?.first == 100 && range?.last == 199 && range?.complete == 200)
        let single = ContentRange("bytes 0-0/1")
        #expect(single?.first == 0 && single?.last == 0 && single?.complete == 1)
        #expect(ContentRange(" Bytes 5-9/10 ")?.first == 5)
    }

    @Test(arguments: [
        "bytes 100-99/200", "bytes 100-200/200", "bytes */200", "bytes 1-2/*", "items 1-2/3",
        "bytes +1-2/3", "bytes 1-2", "bytes -1-2/3", "bytes 1-2/3/4", "",
    ])
    func anythingElseIsRefused(header: String) {
        #expect(ContentRange(header) == nil)
    }
}
