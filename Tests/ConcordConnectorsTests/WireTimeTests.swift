@testable import ConcordConnectors
import Testing

/// Date-time texts of the three APIs: Salesforce's and Dataverse's (an offset always),
/// HubSpot's (UTC without one, or epoch milliseconds), and the literals Concord writes.
@Suite struct WireTimeTests {
    @Test func salesforceAndDataverseTimesParse() {
        #expect(WireTime.parse("2024-01-15T10:30:00.000+0000") == 1_705_314_600_000)
        #expect(WireTime.parse("2024-01-15T10:30:00Z") == 1_705_314_600_000)
        #expect(WireTime.parse("2024-01-15T11:30:00.5+01:00") == 1_705_314_600_500)
        #expect(WireTime.parse("2024-01-15T05:00:00-0530") == 1_705_314_600_000)
        #expect(WireTime.parse("2024-01-15T10:30:00.123456Z") == 1_705_314_600_123)
        #expect(WireTime.parse("1970-01-01T00:00:00Z") == 0)
    }

    @Test(arguments: ["2024-01-15", "garbage", "", "2024-01-15T10:30:00", "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00+01",
                      "2024-01-15T10:30:00Zx", "1969-12-31T23:59:59.999Z", "2024-13-15T10:30:00Z", "2024-01-15T24:00:00Z",
                      "2023-02-29T10:30:00Z", "1705314600000"])
    func otherSalesforceTextsAreNotTimes(_ text: String) {
        #expect(WireTime.parse(text) == nil)
    }

    @Test func hubSpotTimesParse() {
        #expect(WireTime.hubSpotMillis("2024-01-02T09:00:00.000Z") == 1_704_186_000_000)
        #expect(WireTime.hubSpotMillis("2024-01-02T09:00:00Z") == 1_704_186_000_000)
        #expect(WireTime.hubSpotMillis("2024-01-02T09:00:00") == 1_704_186_000_000)
        #expect(WireTime.hubSpotMillis("2024-01-02 09:00:00.000") == 1_704_186_000_000)
        #expect(WireTime.hubSpotMillis("2024-01-02T10:00:00.5+01:00") == 1_704_186_000_500)
        #expect(WireTime.hubSpotMillis("1704186000000") == 1_704_186_000_000)
        #expect(WireTime.hubSpotMillis("000000000") == 0)
        #expect(WireTime.hubSpotMillis("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test(arguments: ["2024-13-02T09:00:00Z", "2024-02-30T09:00:00Z", "yesterday", "12345678", "-1704186000000",
                      "99999999999999999999", "2024-01-02T09:00:00.", "2024-01-02"])
    func otherHubSpotTextsAreNotTimes(_ text: String) {
        #expect(WireTime.hubSpotMillis(text) == nil)
    }

    @Test func literalsFormat() {
        #expect(WireTime.iso(1_705_314_600_000) == "2024-01-15T10:30:00Z")
        #expect(WireTime.iso(1_705_314_600_007) == "2024-01-15T10:30:00.007Z")
        #expect(WireTime.iso(0) == "1970-01-01T00:00:00Z")
        #expect(WireTime.isoWithMillis(1_704_186_000_123) == "2024-01-02T09:00:00.123Z")
        #expect(WireTime.isoWithMillis(0) == "1970-01-01T00:00:00.000Z")
        #expect(WireTime.isoWithMillis(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func formattedTimesReadBack() {
        for millis in stride(from: Int64(0), through: 253_402_300_799_999, by: 791_987_654_321) {
            #expect(WireTime.parse(WireTime.iso(UInt64(millis))) == UInt64(millis))
            #expect(WireTime.hubSpotMillis(WireTime.isoWithMillis(millis)) == millis)
        }
    }
}
