import TraceUI
import XCTest

/// The render target on its own: where `put` writes, what it clips, wide characters and their
/// continuation cells, styles per cell, and the text `lines` that golden screens compare.
final class CellGridTests: XCTestCase {
    let bold = Style(bold: true)
    let red = Style(fg: .red)
    let bar = Style(reverse: true)

    func row(_ g: CellGrid, _ y: Int) -> [Cell] { (0..<g.width).map { g[$0, y] } }

    func testANewGridIsBlankAndNegativeSizesAreEmpty() {
        let g = CellGrid(width: 3, height: 2)
        XCTAssertEqual(g.cells, Array(repeating: Cell(" ", style: .plain, continuation: false), count: 6))
        XCTAssertEqual(g.lines, ["", ""])
        let empty = CellGrid(width: -4, height: 2)
        XCTAssertEqual(empty.width, 0)
        XCTAssertEqual(empty.cells.count, 0)
        XCTAssertEqual(empty.lines, ["", ""])
        XCTAssertEqual(CellGrid(width: 5, height: -1).lines, [])
    }

    func testPutWritesOneCellPerColumnAndReturnsTheColumnsUsed() {
        var g = CellGrid(width: 6, height: 2)
        XCTAssertEqual(g.put("abc", x: 1, y: 1, style: bold), 3)
        XCTAssertEqual(
            row(g, 1),
            [
                Cell(), Cell("a", style: bold), Cell("b", style: bold), Cell("c", style: bold),
                Cell(), Cell(),
            ])
        XCTAssertEqual(row(g, 0), Array(repeating: Cell(), count: 6))
        XCTAssertEqual(g.lines, ["", " abc"])
    }

    func testAWideCharacterTakesTwoCellsTheSecondAContinuation() {
        var g = CellGrid(width: 7, height: 1)
        XCTAssertEqual(g.put("a中b😀", x: 0, y: 0, style: red), 6)
        XCTAssertEqual(
            row(g, 0),
            [
                Cell("a", style: red), Cell("中", style: red), Cell(" ", style: red, continuation: true),
                Cell("b", style: red), Cell("😀", style: red), Cell(" ", style: red, continuation: true), Cell(),
            ])
        // The continuation cells are not text: the line has each wide character once.
        XCTAssertEqual(g.lines, ["a中b😀"])
    }

    func testTextIsClippedAtTheRightEdge() {
        var g = CellGrid(width: 5, height: 1)
        XCTAssertEqual(g.put("abcdefg", x: 2, y: 0), 3)
        XCTAssertEqual(g.lines, ["  abc"])
        // Starting at or past the edge, or on a row outside the grid, writes nothing.
        XCTAssertEqual(g.put("z", x: 5, y: 0), 0)
        XCTAssertEqual(g.put("z", x: 0, y: -1), 0)
        XCTAssertEqual(g.put("z", x: 0, y: 1), 0)
        XCTAssertEqual(g.lines, ["  abc"])
    }

    func testMaxWidthClipsBeforeTheEdge() {
        var g = CellGrid(width: 8, height: 3)
        XCTAssertEqual(g.put("abcdef", x: 1, y: 0, maxWidth: 3), 3)
        XCTAssertEqual(g.put("abc", x: 0, y: 1, maxWidth: 0), 0)
        XCTAssertEqual(g.put("abc", x: 0, y: 1, maxWidth: -2), 0)
        // The limit counts columns: the second wide character would need columns 2-3 of a limit of 3.
        XCTAssertEqual(g.put("中中", x: 0, y: 2, maxWidth: 3), 2)
        XCTAssertEqual(g.lines, [" abc", "", "中"])
        XCTAssertEqual(g[2, 2], Cell())
    }

    func testAWideCharacterThatDoesNotFitInTheLastColumnIsNotWritten() {
        var g = CellGrid(width: 5, height: 2)
        XCTAssertEqual(g.put("abcd中", x: 0, y: 0, style: bold), 4)
        XCTAssertEqual(g[4, 0], Cell())
        XCTAssertEqual(g.put("中中中", x: 0, y: 1), 4)
        XCTAssertEqual(row(g, 1).map(\.continuation), [false, true, false, true, false])
        XCTAssertEqual(g[4, 1], Cell())
        XCTAssertEqual(g.lines, ["abcd", "中中"])
    }

    /// Text starting left of the grid: the hidden columns count in the returned width, and half of a
    /// wide character is not drawn.
    func testTextStartingLeftOfTheGridShowsOnlyWhatIsInside() {
        var g = CellGrid(width: 4, height: 2)
        XCTAssertEqual(g.put("abc", x: -1, y: 0), 3)
        XCTAssertEqual(g.put("中b", x: -1, y: 1), 3)
        XCTAssertEqual(g[0, 1], Cell())
        XCTAssertEqual(g.lines, ["bc", " b"])
    }

    func testControlCharactersBecomeSpacesAndZeroWidthScalarsAreDropped() {
        var g = CellGrid(width: 10, height: 2)
        XCTAssertEqual(g.put("a\u{1B}b\u{7F}c\td", x: 0, y: 0), 7)
        XCTAssertEqual(g.lines[0], "a b c d")
        // A cell holds one scalar: a combining accent is dropped, a precomposed one kept.
        XCTAssertEqual(g.put("e\u{301}\u{200B}x\u{E9}", x: 0, y: 1), 3)
        XCTAssertEqual(g.lines[1], "ex\u{E9}")
        // C1 controls and bidi overrides/isolates that slipped past sanitizing are never written.
        var h = CellGrid(width: 10, height: 1)
        XCTAssertEqual(h.put("a\u{9B}b\u{202E}c\u{2067}d", x: 0, y: 0), 7)
        XCTAssertEqual(h.lines[0], "a b c d")
    }

    /// Writing over one half of a wide character blanks the other half, as a terminal does, so `lines`
    /// stays column for column what the screen shows.
    func testOverwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var g = CellGrid(width: 4, height: 2)
        g.put("中b", x: 0, y: 0)
        g.put("a", x: 1, y: 0)
        g.put("中b", x: 0, y: 1)
        g.put("a", x: 0, y: 1)
        XCTAssertEqual(row(g, 0), [Cell(" "), Cell("a"), Cell("b"), Cell()])
        XCTAssertEqual(row(g, 1), [Cell("a"), Cell(" "), Cell("b"), Cell()])
        XCTAssertEqual(g.lines, [" ab", "a b"])
        // A fill that starts in the middle of a wide character (the help overlay over a CJK name).
        var h = CellGrid(width: 4, height: 1)
        h.put("中中", x: 0, y: 0)
        h.fill(x: 1, y: 0, width: 2, style: Style(reverse: true))
        XCTAssertEqual(
            row(h, 0),
            [Cell(" "), Cell(" ", style: Style(reverse: true)), Cell(" ", style: Style(reverse: true)), Cell(" ")])
    }

    func testStylesArePerCell() {
        var g = CellGrid(width: 5, height: 1)
        g.put("ab", x: 0, y: 0, style: red)
        g.put("c", x: 2, y: 0, style: bold)
        XCTAssertEqual(row(g, 0).map(\.style), [red, red, bold, .plain, .plain])
        // A later write replaces character and style of the cells it covers, and only those.
        g.put("B", x: 1, y: 0)
        XCTAssertEqual(row(g, 0), [Cell("a", style: red), Cell("B"), Cell("c", style: bold), Cell(), Cell()])
    }

    func testFillBlanksCellsWithAStyleClippedToTheGrid() {
        var g = CellGrid(width: 5, height: 2)
        g.put("abcde", x: 0, y: 0, style: red)
        g.fill(x: 3, y: 0, width: 10, style: bar)
        g.fill(x: -2, y: 1, width: 3, style: bar)
        g.fill(x: 0, y: 2, width: 5, style: bar)
        g.fill(x: 0, y: -1, width: 5, style: bar)
        XCTAssertEqual(
            row(g, 0),
            [
                Cell("a", style: red), Cell("b", style: red), Cell("c", style: red),
                Cell(" ", style: bar), Cell(" ", style: bar),
            ])
        XCTAssertEqual(row(g, 1), [Cell(" ", style: bar), Cell(), Cell(), Cell(), Cell()])
        // Styled blanks are still trailing spaces to the text.
        XCTAssertEqual(g.lines, ["abc", ""])
    }

    func testRestyleKeepsTheCharacters() {
        var g = CellGrid(width: 5, height: 1)
        g.put("ab中", x: 0, y: 0, style: red)
        g.restyle(x: 1, y: 0, width: 10) { $0.reverse = true }
        g.restyle(x: 0, y: 1, width: 5) { $0.bold = true }
        let both = Style(fg: .red, reverse: true)
        XCTAssertEqual(
            row(g, 0),
            [
                Cell("a", style: red), Cell("b", style: both), Cell("中", style: both),
                Cell(" ", style: both, continuation: true), Cell(" ", style: bar),
            ])
        XCTAssertEqual(g.lines, ["ab中"])
    }

    func testReplaceNonASCIIKeepsEveryColumn() {
        var g = CellGrid(width: 12, height: 1)
        g.put("├─▸中✗é·µ", x: 0, y: 0, style: bold)
        g.replaceNonASCII()
        // Known symbols get look-alikes, others `?`; a wide character's second cell becomes a visible blank.
        XCTAssertEqual(g.lines, ["?-+? x?.u"])
        XCTAssertEqual(row(g, 0).map(\.continuation), Array(repeating: false, count: 12))
        XCTAssertEqual(row(g, 0).map(\.style), Array(repeating: bold, count: 9) + Array(repeating: .plain, count: 3))
    }
}
