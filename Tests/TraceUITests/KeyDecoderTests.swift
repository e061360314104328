import Testing

@testable import TraceUI

@Suite struct KeyDecoderTests {
    private func keys(_ text: String) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.feed(Array(text.utf8)) + decoder.flush()
    }

    @Test func homeEndAndPagingInEveryCommonEncoding() {
        let home = ["\u{1B}[1~", "\u{1B}[7~", "\u{1B}[H", "\u{1B}OH", "\u{1B}[1;5H"]
        let end = ["\u{1B}[4~", "\u{1B}[8~", "\u{1B}[F", "\u{1B}OF", "\u{1B}[1;2F"]
        for s in home { #expect(keys(s) == [.home], "\(Array(s.utf8))") }
        for s in end { #expect(keys(s) == [.end], "\(Array(s.utf8))") }
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[5;5~") == [.pageUp, .pageDown, .pageUp])
    }

    @Test func cursorKeysNormalApplicationAndModified() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OB\u{1B}OC\u{1B}OD") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}[1;5A\u{1B}[1;3D\u{1B}O5B") == [.up, .left, .down])
        #expect(keys("\u{1B}[Z\u{1B}OM") == [.backTab, .enter])
    }

    @Test func unknownSequencesAreSwallowedWholeNeverReadAsEsc() {
        // F1–F12 (xterm, VT220, Linux console), Insert/Delete, SGR and X10 mouse, focus, an OSC
        // colour answer ended by BEL and by ST, a DCS, Alt+x and Alt+é: each leaves only the `j` after it.
        let swallowed = [
            "\u{1B}OP", "\u{1B}[11~", "\u{1B}[24~", "\u{1B}[[A", "\u{1B}[2~", "\u{1B}[3;5~",
            "\u{1B}[<0;12;7M", "\u{1B}[M !!", "\u{1B}[I", "\u{1B}[O", "\u{1B}[?1;2c",
            "\u{1B}]11;rgb:0000/0000/0000\u{07}", "\u{1B}]11;rgb:ffff/ffff/ffff\u{1B}\\", "\u{1B}P1$r0m\u{1B}\\",
            "\u{1B}x", "\u{1B}é",
        ]
        for s in swallowed { #expect(keys(s + "j") == [.char("j")], "\(Array(s.utf8))") }
    }

    @Test func aLoneEscIsEscOnlyWhenNothingFollowsInTime() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.isWaiting)
        // The rest of the sequence arrives in the next read: still End, not Esc + "[4~".
        #expect(decoder.feed(Array("[4~".utf8)) == [.end])
        #expect(!decoder.isWaiting)
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.flush() == [.escape])
        #expect(keys("\u{1B}\u{1B}[A") == [.escape, .up])
    }

    @Test func sequencesCutAtAnyByteDecodeTheSameWhenFedInPieces() {
        let text = Array("a\u{1B}[1;5A\u{1B}]0;t\u{07}é日\u{1B}OF\u{1B}[6~z".utf8)
        let whole = keys(String(decoding: text, as: UTF8.self))
        #expect(whole == [.char("a"), .up, .char("é"), .char("日"), .end, .pageDown, .char("z")])
        for cut in 1..<text.count {
            var decoder = KeyDecoder()
            let pieces = decoder.feed(Array(text[..<cut])) + decoder.feed(Array(text[cut...])) + decoder.flush()
            #expect(pieces == whole, "cut at \(cut)")
        }
    }

    @Test func controlAndInvalidBytes() {
        #expect(keys("\r\n\t\u{7F}\u{08}\u{03}") == [.enter, .enter, .tab, .backspace, .backspace, .char("q")])
        // NUL, other controls, a C1 control in UTF-8, a lone continuation byte, an overlong "/",
        // a surrogate: none is a key.
        var decoder = KeyDecoder()
        let bad: [UInt8] = [0, 1, 0x1A, 0xC2, 0x9B, 0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xFF, UInt8(ascii: "k")]
        #expect(decoder.feed(bad) + decoder.flush() == [.char("k")])
        // A cut UTF-8 character at the end is waited for, then dropped.
        #expect(decoder.feed([0xE6, 0x97]) == [])
        #expect(decoder.flush() == [])
    }

    @Test func anEndlessSequenceIsBounded() {
        var decoder = KeyDecoder()
        var out = decoder.feed(Array("\u{1B}]".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100))
        #expect(out == [] && decoder.isWaiting)
        out = decoder.feed(Array(repeating: UInt8(ascii: "x"), count: KeyDecoder.maxSequence))
        // Past the bound the ESC is dropped and the rest read as text: nothing waits forever.
        #expect(!decoder.isWaiting)
        #expect(out.count == KeyDecoder.maxSequence + 101)
    }

    /// Found by fuzzing (scripts/fuzz.sh keys): a string sequence ended by the ESC of the next key
    /// was swallowed when it came in one read, but read as text (here: `q`, quit) when the bytes came
    /// one at a time, as the bound was hit while waiting for the byte after that ESC.
    @Test func keysDoNotDependOnHowTheBytesAreCutIntoReads() {
        for payload in [KeyDecoder.maxSequence - 2, KeyDecoder.maxSequence - 1] {
            let bytes = Array("\u{1B}^".utf8) + Array(repeating: UInt8(ascii: "q"), count: payload) + [0x1B, 0x1B]
            var whole = KeyDecoder()
            let expected = whole.feed(bytes) + whole.flush()
            var pieces = KeyDecoder()
            let keys = bytes.flatMap { pieces.feed([$0]) } + pieces.flush()
            #expect(keys == expected, "payload \(payload)")
        }
    }
}
