import SnapCore
import Testing

/// The one duration parser and formatter (flags, snap.toml, check, prune reasons).
@Suite struct DurationTextTests {
    @Test func parsesUnitsAndPlainSeconds() {
        #expect(DurationText.parse("30s") == .seconds(30))
        #expect(DurationText.parse("5m") == .seconds(300))
        #expect(DurationText.parse("26h") == .seconds(93_600))
        #expect(DurationText.parse("7d") == .seconds(604_800))
        #expect(DurationText.parse("90") == .seconds(90))
    }

    @Test func refusesWhatIsNotADuration() {
        for bad in ["", "h", "1.5h", "-1s", "1w", "1d2h", " 5m", "99999999999999999999d"] {
            #expect(DurationText.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func formatsAsOperatorsWriteThem() {
        #expect(DurationText.format(.seconds(45)) == "45s")
        #expect(DurationText.format(.seconds(12 * 60 + 5)) == "12m5s")
        #expect(DurationText.format(.seconds(36 * 3600)) == "36h")
        #expect(DurationText.format(.seconds(7 * 86_400)) == "7d")
        #expect(DurationText.format(.seconds(4 * 86_400 + 2 * 3600)) == "4d2h")
        for text in ["30s", "5m", "26h", "7d"] { #expect(DurationText.format(DurationText.parse(text)!) == text) }
    }
}
