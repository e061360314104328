import TraceAnalysis
import TraceText
import XCTest

/// The one width function and what is built on it: every column count in the TUI, `--plain` and
/// `summary` comes from `displayWidth`, so CJK, emoji, combining marks and zero-width characters
/// line up everywhere.
final class DisplayWidthTests: XCTestCase {
    func testColumnsOfEachKindOfCharacter() {
        XCTAssertEqual(displayWidth("gpt-4o"), 6)
        XCTAssertEqual(displayWidth("模型"), 4, "CJK ideographs are two columns each")
        XCTAssertEqual(displayWidth("한국어"), 6, "Hangul syllables are wide")
        XCTAssertEqual(displayWidth("ｶﾀｶﾅ"), 4, "halfwidth katakana stays one column")
        XCTAssertEqual(displayWidth("ＡＢ"), 4, "fullwidth Latin is wide")
        XCTAssertEqual(displayWidth("🚀ok"), 4, "an emoji is two columns")
        XCTAssertEqual(displayWidth("🤖"), 2)
        XCTAssertEqual(displayWidth("e\u{301}"), 1, "a combining acute accent takes no column")
        XCTAssertEqual(displayWidth("a\u{200B}b"), 2, "zero-width space")
        XCTAssertEqual(displayWidth("a\u{200D}b\u{FEFF}"), 2, "zero-width joiner and BOM")
        XCTAssertEqual(displayWidth("✓\u{FE0F}"), 1, "a variation selector takes no column")
        XCTAssertEqual(displayWidth(""), 0)
    }

    func testTruncateNeverSplitsAWideCharacterAndMarksTheCut() {
        XCTAssertEqual(truncate("模型名称", to: 5), "模型…", "two wide characters and the ellipsis: 5 columns")
        XCTAssertEqual(displayWidth(truncate("模型名称", to: 5)), 5)
        XCTAssertEqual(truncate("模型名称", to: 4), "模…", "a wide character that would end on column 4 is left out")
        XCTAssertEqual(truncate("模型名称", to: 8), "模型名称", "it fits")
        XCTAssertEqual(truncate("agent.workflow", to: 6, ascii: true), "agent~")
        XCTAssertEqual(truncate("abc", to: 0), "")
        XCTAssertEqual(truncate("e\u{301}e\u{301}e\u{301}", to: 3), "e\u{301}e\u{301}e\u{301}", "marks do not count")
    }

    /// The progress line of a long load, with and without a known size, gzip, and hostile names.
    func testLoadProgressLine() {
        XCTAssertEqual(
            Format.loadProgress(
                "x.jsonl", bytes: 327_155_712, inflated: false, size: 873_463_808, spans: 380_000, seconds: 3.25),
            "reading x.jsonl: 312 MB of 833 MB (37%) · 380k spans · 96 MB/s")
        XCTAssertEqual(
            Format.loadProgress(
                "x.json.gz", bytes: 10_485_760, inflated: true, size: 1_000_000, spans: 65_536, seconds: 0),
            "reading x.json.gz: 10 MB inflated · 66k spans")
        XCTAssertEqual(
            Format.loadProgress("-", bytes: 0, inflated: false, size: nil, spans: 0, seconds: 1),
            "reading -: 0 MB · 0 spans · 0 MB/s")
        XCTAssertEqual(
            Format.loadProgress("a\u{1B}[2Jb", bytes: 0, inflated: false, size: nil, spans: 0, seconds: 0),
            "reading ab: 0 MB · 0 spans")
    }

    func testFitPadsToExactColumns() {
        XCTAssertEqual(fit("模型", 6), "模型  ")
        XCTAssertEqual(fit("模型", 6, right: true), "  模型")
        XCTAssertEqual(fit("🚀 launch", 6), "🚀 la…")
        XCTAssertEqual(displayWidth(fit("🚀 launch", 6)), 6)
        XCTAssertEqual(fit("模型名称", 5), "模型…")
        XCTAssertEqual(fit("模型名称", 4), "模… ", "a wide character that does not fit leaves a padded column")
    }
}

final class WrapTests: XCTestCase {
    func testPrefixCutsAtColumnsWithoutAMark() {
        XCTAssertEqual(prefix("模型名称", columns: 5), "模型")
        XCTAssertEqual(prefix("abc", columns: 5), "abc")
        XCTAssertEqual(prefix("e\u{301}x", columns: 1), "e\u{301}", "a combining mark stays with its letter")
    }

    func testSoftWrapIndentsContinuationLinesAndNeverSplitsAWideCharacter() {
        XCTAssertEqual(softWrap("abcdefghij", width: 4), ["abcd", "  ef", "  gh", "  ij"])
        XCTAssertEqual(softWrap("模型名称", width: 5), ["模型", "  名", "  称"])
        XCTAssertEqual(softWrap("short", width: 10), ["short"])
        XCTAssertEqual(
            softWrap("abcdef", width: 3), ["abc"],
            "narrower than the indent and a wide character: the first line only (wrapping might not advance)")
    }

    func testBlank() {
        XCTAssertEqual(blank(3), "   ")
        XCTAssertEqual(blank(-2), "")
    }
}

final class FormatTests: XCTestCase {
    func testDurations() {
        XCTAssertEqual(Format.duration(850), "850ns")
        XCTAssertEqual(Format.duration(12_345), "12.3µs")
        XCTAssertEqual(Format.duration(456_000_000), "456ms")
        XCTAssertEqual(Format.duration(4_560_000), "4.56ms")
        XCTAssertEqual(Format.duration(1_234_000_000), "1.23s")
        XCTAssertEqual(Format.duration(125_000_000_000), "2m05s")
        XCTAssertEqual(Format.duration(3_720_000_000_000), "1h02m")
        XCTAssertEqual(Format.duration(-5), "0ns", "an end before the start shows as zero")
    }

    func testTokensAndPairs() {
        XCTAssertEqual(Format.tokens(950), "950")
        XCTAssertEqual(Format.tokens(1_234), "1.2k")
        XCTAssertEqual(Format.tokens(15_400), "15k")
        XCTAssertEqual(Format.tokens(1_500_000), "1.5M")
        XCTAssertEqual(Format.tokenPair(1_200, 300), "1.2k/300")
        XCTAssertEqual(Format.tokenPair(0, 0), "-")
    }

    func testCosts() {
        XCTAssertEqual(Format.cost(0.006), "$0.0060")
        XCTAssertEqual(Format.cost(0.00072), "$0.00072")
        XCTAssertEqual(Format.cost(0.000024), "$0.000024")
        XCTAssertEqual(Format.cost(1.234), "$1.23")
        XCTAssertEqual(Format.cost(1234.4), "$1234")
        XCTAssertEqual(Format.cost(0), "$0")
        XCTAssertEqual(Format.cost(0.0000001), "<$0.000001")
        XCTAssertEqual(Format.cost(1.5, unknownCalls: 2), "$1.50+?")
        XCTAssertEqual(Format.cost(0, unknownCalls: 1, hasCost: false), "?")
        XCTAssertEqual(Format.cost(0, hasCost: false), "-")
        XCTAssertEqual(Format.cost(1e20), "$1e+20", "beyond Int64: as it is, no trap")
    }

    func testTimestampsAndFixedDigits() {
        XCTAssertEqual(Format.timestamp(1_764_327_483_000_000_000), "2025-11-28 10:58:03")
        XCTAssertEqual(Format.timestamp(0), "1970-01-01 00:00:00")
        XCTAssertEqual(Format.fixed(2.345, 2), "2.35")
        XCTAssertEqual(Format.fixed(-0.25, 1), "-0.3")
        XCTAssertEqual(Format.fixed(7, 0), "7")
    }

    func testSanitizeRemovesEscapeSequencesAndControls() {
        XCTAssertEqual(Format.sanitize("ok\u{1B}[31mred\u{1B}[0m"), "okred")
        XCTAssertEqual(Format.sanitize("title\u{1B}]0;pwned\u{07}!"), "title!")
        XCTAssertEqual(Format.sanitize("a\tb\nc\u{7F}d"), "a b c d")
        XCTAssertEqual(Format.sanitize("模型 🚀"), "模型 🚀")
        // C1 controls in their UTF-8 form: the 8-bit CSI and OSC take their sequence with them.
        XCTAssertEqual(Format.sanitize("a\u{9B}2Jb\u{9D}0;t\u{9C}c\u{85}d"), "abc d")
        // Bidi overrides, embeddings, isolates and marks are dropped ("Trojan Source").
        XCTAssertEqual(Format.sanitize("admin\u{202E}gnp.exe\u{202C} \u{2066}x\u{2069}\u{200F}"), "admingnp.exe x")
        // A DCS ended by ST, and ESC followed by a lone character.
        XCTAssertEqual(Format.sanitize("p\u{1B}P1$r\u{1B}\\q\u{1B}cr"), "pqr")
    }

    func testSanitizeLinesKeepsLineBreaks() {
        XCTAssertEqual(Format.sanitizeLines("one\u{1B}[2J\ntwo\u{7}\n"), "one\ntwo \n")
        let plain = "no controls\nhere\n"
        XCTAssertEqual(Format.sanitizeLines(plain), plain)
    }

    func testScoreLabels() {
        XCTAssertEqual(DashboardFormat.score(ScoreBin(low: 4, high: nil, count: 3)), "4")
        XCTAssertEqual(DashboardFormat.score(ScoreBin(low: 0.75, high: nil, count: 1)), "0.75")
        XCTAssertEqual(DashboardFormat.score(ScoreBin(low: 0.2, high: 0.4, count: 2)), "0.20..0.40")
    }
}
