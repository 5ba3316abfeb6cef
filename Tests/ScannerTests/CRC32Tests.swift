import Testing

@testable import Scanner

@Suite("CRC-32")
struct CRC32Tests {
    @Test("the check value of \"123456789\" is CBF43926")
    func checkValue() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xCBF4_3926)
        #expect(CRC32().value == 0)
    }

    @Test("it agrees with a bitwise CRC for every length and split")
    func agreesWithReference() {
        let data = pseudoRandomBytes(count: 300)
        for length in 0...data.count {
            let slice = data[..<length]
            for split in Set([0, length / 3, length / 2, length]) {
                var crc = CRC32()
                crc.update(slice[..<split])
                crc.update(slice[split...])
                #expect(crc.value == referenceCRC32(slice), "length \(length) split \(split)")
            }
        }
    }
}
