import Foundation
import TraceModel
import XCTest

@testable import TraceAnalysis

final class PricingTests: XCTestCase {
    private let table = PriceTable.embedded

    func testCanonicalModelNames() {
        XCTAssertEqual(canonicalModelName("gpt-4o-2024-08-06"), "gpt-4o")
        XCTAssertEqual(canonicalModelName("openai/gpt-4o"), "gpt-4o")
        XCTAssertEqual(canonicalModelName("us.anthropic.claude-sonnet-4-20250514-v1:0"), "claude-sonnet-4")
        XCTAssertEqual(canonicalModelName("claude-sonnet-4@20250514"), "claude-sonnet-4")
        XCTAssertEqual(canonicalModelName("claude-3-5-haiku-20241022"), "claude-3-5-haiku")
        XCTAssertEqual(canonicalModelName("claude-3.5-haiku"), "claude-3-5-haiku")
        XCTAssertEqual(canonicalModelName("GPT-4O"), "gpt-4o")
        XCTAssertEqual(canonicalModelName("models/gemini-2.5-pro"), "gemini-2-5-pro")
        XCTAssertEqual(canonicalModelName("anthropic.claude-3-5-haiku-20241022-v1:0"), "claude-3-5-haiku")
        XCTAssertEqual(canonicalModelName("gpt-4o-mini-foo"), "gpt-4o-mini-foo")
        XCTAssertEqual(canonicalModelName("gpt-4"), "gpt-4")
    }

    func testEmbeddedPriceLookups() {
        XCTAssertEqual(table.price(for: "gpt-4o-2024-08-06")?.model, "gpt-4o")
        XCTAssertEqual(table.price(for: "openai/gpt-4o")?.model, "gpt-4o")
        XCTAssertEqual(table.price(for: "GPT-4O")?.model, "gpt-4o")
        XCTAssertEqual(table.price(for: "us.anthropic.claude-sonnet-4-20250514-v1:0")?.model, "claude-sonnet-4")
        XCTAssertEqual(table.price(for: "claude-sonnet-4@20250514")?.model, "claude-sonnet-4")
        XCTAssertEqual(table.price(for: "claude-3-5-haiku-20241022")?.model, "claude-3.5-haiku")
        XCTAssertEqual(table.price(for: "claude-3.5-haiku")?.model, "claude-3.5-haiku")
        XCTAssertEqual(table.price(for: "claude-4-sonnet")?.model, "claude-sonnet-4")  // alias
        XCTAssertEqual(table.price(for: "gpt-4o-mini")?.model, "gpt-4o-mini")
        XCTAssertEqual(table.price(for: "gpt-4o-mini-2024-07-18")?.model, "gpt-4o-mini")
        let gpt4o = table.price(for: "gpt-4o-2024-08-06")
        XCTAssertEqual(gpt4o?.input, 2.50)
        XCTAssertEqual(gpt4o?.cachedInput, 1.25)
        XCTAssertEqual(gpt4o?.output, 10.00)
        let sonnet = table.price(for: "claude-sonnet-4@20250514")
        XCTAssertEqual(sonnet?.input, 3.00)
        XCTAssertEqual(sonnet?.cachedInput, 0.30)
        XCTAssertEqual(sonnet?.cacheWrite, 3.75)
        XCTAssertEqual(sonnet?.output, 15.00)
        XCTAssertEqual(sonnet?.longContextThreshold, 200_000)
        XCTAssertEqual(sonnet?.longInput, 6.00)
        XCTAssertEqual(sonnet?.longOutput, 22.50)
        let haiku = table.price(for: "claude-3-5-haiku-20241022")
        XCTAssertEqual(haiku?.input, 0.80)
        XCTAssertEqual(haiku?.cachedInput, 0.08)
        XCTAssertEqual(haiku?.cacheWrite, 1.00)
        XCTAssertEqual(haiku?.output, 4.00)
    }

    func testNoLoosePrefixMatches() {
        XCTAssertNil(table.price(for: "gpt-4o-mini-foo"))
        XCTAssertNil(table.price(for: "gpt-4"))
        XCTAssertNil(table.price(for: "gpt-4o-audio"))
        XCTAssertNil(table.price(for: "claude-sonnet"))
        XCTAssertNil(table.price(for: ""))
    }

    private func llm(
        input: Int64 = -1, output: Int64 = -1, cacheRead: Int64 = -1, cacheWrite: Int64 = -1, reasoning: Int64 = -1
    ) -> LLMFacts {
        var f = LLMFacts()
        f.role = .llm
        f.inputTokens = input
        f.outputTokens = output
        f.cacheReadTokens = cacheRead
        f.cacheWriteTokens = cacheWrite
        f.reasoningTokens = reasoning
        return f
    }

    func testCostCachedTokensInsideInput() {
        // OpenAI style: 10,000 input tokens of which 4,000 cached; 1,000 output. gpt-4o:
        // 6,000 × 2.50 + 4,000 × 1.25 + 1,000 × 10.00 = 15,000 + 5,000 + 10,000 = 30,000 / 1e6 = $0.03.
        let f = llm(input: 10_000, output: 1_000, cacheRead: 4_000)
        XCTAssertTrue(f.cacheCountedInInput)
        XCTAssertEqual(f.uncachedInputTokens, 6_000)
        XCTAssertEqual(computeCost(f, price: table.price(for: "gpt-4o")!), 0.03, accuracy: 1e-12)
    }

    func testCostCachedTokensBesideInput() {
        // Anthropic style: input 500 excludes 20,000 cache reads and 3,000 cache writes (23,000 > 500); 800 output.
        // claude-sonnet-4: 500 × 3 + 20,000 × 0.30 + 3,000 × 3.75 + 800 × 15 = 1,500 + 6,000 + 11,250 + 12,000
        // = 30,750 / 1e6 = $0.03075.
        let f = llm(input: 500, output: 800, cacheRead: 20_000, cacheWrite: 3_000)
        XCTAssertFalse(f.cacheCountedInInput)
        XCTAssertEqual(f.uncachedInputTokens, 500)
        XCTAssertEqual(f.allInputTokens, 23_500)
        XCTAssertEqual(computeCost(f, price: table.price(for: "claude-sonnet-4-20250514")!), 0.03075, accuracy: 1e-12)
    }

    func testCacheWritesAtTheWriteRate() {
        // Inside the input: 10,000 input = 5,000 plain + 2,000 cache reads + 3,000 cache writes; 100 output.
        // claude-3.5-haiku: 5,000 × 0.80 + 2,000 × 0.08 + 3,000 × 1.00 + 100 × 4.00 = 4,000 + 160 + 3,000 + 400
        // = 7,560 / 1e6 = $0.00756.
        let f = llm(input: 10_000, output: 100, cacheRead: 2_000, cacheWrite: 3_000)
        XCTAssertEqual(computeCost(f, price: table.price(for: "claude-3-5-haiku-20241022")!), 0.00756, accuracy: 1e-12)
        // No write rate in the table (gpt-4o): writes fall back to the input rate.
        // 5,000 × 2.50 + 2,000 × 1.25 + 3,000 × 2.50 + 100 × 10 = 12,500 + 2,500 + 7,500 + 1,000 = 23,500 → $0.0235.
        XCTAssertEqual(computeCost(f, price: table.price(for: "gpt-4o")!), 0.0235, accuracy: 1e-12)
    }

    func testLongContextTierForClaudeSonnet4() {
        let sonnet = table.price(for: "claude-sonnet-4")!
        // 250,000 input > 200K: 250,000 × 6.00 + 1,000 × 22.50 = 1,500,000 + 22,500 = 1,522,500 → $1.5225.
        XCTAssertEqual(computeCost(llm(input: 250_000, output: 1_000), price: sonnet), 1.5225, accuracy: 1e-12)
        // Exactly 200,000 is not above: 200,000 × 3.00 + 1,000 × 15.00 = 615,000 → $0.615.
        XCTAssertEqual(computeCost(llm(input: 200_000, output: 1_000), price: sonnet), 0.615, accuracy: 1e-12)
        // The threshold counts the cache too: 1,000 input beside 250,000 cache reads = 251,000 > 200K:
        // 1,000 × 6.00 + 250,000 × 0.60 + 100 × 22.50 = 6,000 + 150,000 + 2,250 = 158,250 → $0.15825.
        XCTAssertEqual(
            computeCost(llm(input: 1_000, output: 100, cacheRead: 250_000), price: sonnet), 0.15825, accuracy: 1e-12)
        // No long tier for gpt-4o: 300,000 × 2.50 = 750,000 → $0.75.
        XCTAssertEqual(
            computeCost(llm(input: 300_000, output: 0), price: table.price(for: "gpt-4o")!), 0.75, accuracy: 1e-12)
    }

    func testReasoningTokensAreNotAddedTwice() {
        // o3: 1,000 × 2.00 + 500 output (of which 300 reasoning) × 8.00 = 2,000 + 4,000 = 6,000 → $0.006.
        XCTAssertEqual(
            computeCost(llm(input: 1_000, output: 500, reasoning: 300), price: table.price(for: "o3")!), 0.006,
            accuracy: 1e-12)
    }

    func testEmbeddingInputOnly() {
        // text-embedding-3-small: 1,000,000 × 0.02 = $0.02.
        var f = llm(input: 1_000_000)
        f.role = .embedding
        XCTAssertEqual(
            spanCost(f, price: table.price(for: "text-embedding-3-small")), SpanCost(usd: 0.02, source: .computed))
    }

    func testSpanCostSources() {
        let price = table.price(for: "gpt-4o")
        var reported = llm(input: 1_000, output: 100)
        reported.reportedCost = 0.5
        XCTAssertEqual(spanCost(reported, price: price), SpanCost(usd: 0.5, source: .reported))
        XCTAssertEqual(spanCost(reported, price: nil), SpanCost(usd: 0.5, source: .reported))
        XCTAssertEqual(spanCost(llm(input: 1_000, output: 100), price: nil), SpanCost(usd: 0, source: .unknown))
        XCTAssertEqual(spanCost(llm(), price: price), SpanCost(usd: 0, source: .unknown))
        XCTAssertEqual(spanCost(LLMFacts(), price: price), .none)
        // 1,000 × 2.50 + 100 × 10 = 3,500 → $0.0035.
        let computed = spanCost(llm(input: 1_000, output: 100), price: price)
        XCTAssertEqual(computed.source, .computed)
        XCTAssertEqual(computed.usd, 0.0035, accuracy: 1e-15)
    }

    // MARK: user price files

    private func write(_ text: String, to dir: URL, name: String = "prices.json") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testPriceFileOverridesAndAdds() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try write(
            #"{"checked":"2026-12-24","models":{"gpt-4o":{"input":2.0,"output":8.0},"my-model":{"input":1.0,"output":2.0,"cachedInput":0.1,"cacheWrite":1.25,"aliases":["my-model-large"]}}}"#,
            to: dir)
        var t = PriceTable.embedded
        try t.apply(file: path)
        XCTAssertEqual(t.checked, "2026-12-24")
        XCTAssertEqual(t.origins, ["embedded default", path])
        XCTAssertEqual(t.entries.count, PriceTable.embedded.entries.count + 1)
        let gpt4o = t.price(for: "gpt-4o-2024-08-06")
        XCTAssertEqual(gpt4o, ModelPrice("gpt-4o", input: 2.0, output: 8.0))
        XCTAssertEqual(
            t.price(for: "my-model"),
            ModelPrice(
                "my-model", input: 1.0, output: 2.0, cachedInput: 0.1, cacheWrite: 1.25, aliases: ["my-model-large"]))
        XCTAssertEqual(t.price(for: "my-model-large")?.model, "my-model")
        XCTAssertEqual(t.price(for: "gpt-4o-mini")?.input, 0.15)  // untouched
        // The embedded table itself is not changed.
        XCTAssertEqual(PriceTable.embedded.price(for: "gpt-4o")?.input, 2.50)
        XCTAssertNil(PriceTable.embedded.price(for: "my-model"))
        // Overridden gpt-4o has no cached rate any more: 1,000 input incl. 400 cached, 100 output:
        // 600 × 2.0 + 400 × 2.0 (fallback to input) + 100 × 8.0 = 1,200 + 800 + 800 = 2,800 → $0.0028.
        var f = LLMFacts()
        f.role = .llm
        f.inputTokens = 1_000
        f.cacheReadTokens = 400
        f.outputTokens = 100
        XCTAssertEqual(computeCost(f, price: gpt4o!), 0.0028, accuracy: 1e-12)
    }

    func testBadPriceFiles() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ text: String?) throws -> String? {
            let path =
                text == nil
                ? dir.appendingPathComponent("missing.json").path
                : try write(text!, to: dir, name: "p-\(UUID().uuidString).json")
            var t = PriceTable.embedded
            do { try t.apply(file: path) } catch let e as PriceFileError {
                XCTAssertEqual(e.file, path)
                XCTAssertEqual(e.description, path + ": " + e.message)
                XCTAssertEqual(t.origins, ["embedded default"])
                return e.message
            }
            return nil
        }
        XCTAssertEqual(try message(nil), "cannot read the price file")
        XCTAssertEqual(try message(#"{"models":{"a":{"input":1,"output":2}}"#)?.hasPrefix("not valid JSON: "), true)
        XCTAssertEqual(try message(#"{"prices":{}}"#), #"expected an object with a "models" object"#)
        XCTAssertEqual(try message(#"[1,2]"#), #"expected an object with a "models" object"#)
        XCTAssertEqual(try message(#"{"models":{"a":5}}"#), #"model "a": expected an object of prices"#)
        XCTAssertEqual(try message(#"{"models":{"a":{"input":1}}}"#), #"model "a": "input" and "output" are required"#)
        XCTAssertEqual(
            try message(#"{"models":{"a":{"input":-1,"output":2}}}"#),
            #"model "a": "input" must be a non-negative number"#)
        XCTAssertEqual(
            try message(#"{"models":{"a":{"input":"1.0","output":2}}}"#),
            #"model "a": "input" must be a non-negative number"#)
        XCTAssertEqual(
            try message(#"{"models":{"a":{"input":1,"output":2,"cachedInput":"x"}}}"#),
            #"model "a": "cachedInput" must be a non-negative number"#)
    }

    func testLoadReadsXDGConfigHome() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("tracetui"), withIntermediateDirectories: true)
        let configPath = try write(
            #"{"checked":"2027-01-01","models":{"house-model":{"input":4.0,"output":16.0}}}"#,
            to: dir.appendingPathComponent("tracetui"))
        let overridePath = try write(
            #"{"models":{"house-model":{"input":5.0,"output":20.0}}}"#, to: dir, name: "extra.json")

        let t = try PriceTable.load(
            overrides: [], environment: ["XDG_CONFIG_HOME": dir.path, "HOME": "/nonexistent-home"])
        XCTAssertEqual(t.origins, ["embedded default", configPath])
        XCTAssertEqual(t.checked, "2027-01-01")
        XCTAssertEqual(t.price(for: "house-model"), ModelPrice("house-model", input: 4.0, output: 16.0))

        // --prices files come after the config file and win.
        let t2 = try PriceTable.load(overrides: [overridePath], environment: ["XDG_CONFIG_HOME": dir.path])
        XCTAssertEqual(t2.origins, ["embedded default", configPath, overridePath])
        XCTAssertEqual(t2.price(for: "house-model")?.input, 5.0)
        XCTAssertEqual(t2.checked, "2027-01-01")  // the override file names no date

        // HOME/.config is the fallback when XDG_CONFIG_HOME is unset or empty.
        let home = try tempDir()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(
            at: home.appendingPathComponent(".config/tracetui"), withIntermediateDirectories: true)
        let homePath = try write(
            #"{"models":{"home-model":{"input":1,"output":1}}}"#, to: home.appendingPathComponent(".config/tracetui"))
        let t3 = try PriceTable.load(overrides: [], environment: ["XDG_CONFIG_HOME": "", "HOME": home.path])
        XCTAssertEqual(t3.origins, ["embedded default", homePath])
        XCTAssertNotNil(t3.price(for: "home-model"))

        // No config file anywhere: the embedded table alone.
        let t4 = try PriceTable.load(overrides: [], environment: ["HOME": "/nonexistent-home"])
        XCTAssertEqual(t4.origins, ["embedded default"])
        XCTAssertEqual(t4.checked, PriceTable.embedded.checked)
        XCTAssertEqual(t4.entries.count, PriceTable.embedded.entries.count)

        // A broken config file is an error naming it.
        try Data("{".utf8).write(to: URL(fileURLWithPath: configPath))
        XCTAssertThrowsError(try PriceTable.load(overrides: [], environment: ["XDG_CONFIG_HOME": dir.path])) { error in
            XCTAssertEqual((error as? PriceFileError)?.file, configPath)
        }
    }
}
