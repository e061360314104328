extension PriceTable {
    /// Public list prices (USD per 1M tokens, standard tier). The article's COST_PER_1K_TOKENS
    /// (gpt-4o, gpt-4o-mini, claude-opus-4, claude-sonnet-4) agrees with these ×1000.
    public static let embedded = PriceTable(
        entries: [
            ModelPrice("gpt-4o", input: 2.50, output: 10.00, cachedInput: 1.25),
            ModelPrice("gpt-4o-mini", input: 0.15, output: 0.60, cachedInput: 0.075),
            ModelPrice("gpt-4.1", input: 2.00, output: 8.00, cachedInput: 0.50),
            ModelPrice("gpt-4.1-mini", input: 0.40, output: 1.60, cachedInput: 0.10),
            ModelPrice("gpt-4.1-nano", input: 0.10, output: 0.40, cachedInput: 0.025),
            ModelPrice("gpt-5", input: 1.25, output: 10.00, cachedInput: 0.125),
            ModelPrice("gpt-5-mini", input: 0.25, output: 2.00, cachedInput: 0.025),
            ModelPrice("o3", input: 2.00, output: 8.00, cachedInput: 0.50),
            ModelPrice("o4-mini", input: 1.10, output: 4.40, cachedInput: 0.275),
            ModelPrice("text-embedding-3-small", input: 0.02, output: 0),
            ModelPrice("text-embedding-3-large", input: 0.13, output: 0),
            ModelPrice(
                "claude-opus-4", input: 15.00, output: 75.00, cachedInput: 1.50, cacheWrite: 18.75,
                aliases: ["claude-4-opus"]),
            ModelPrice(
                "claude-opus-4.1", input: 15.00, output: 75.00, cachedInput: 1.50, cacheWrite: 18.75,
                aliases: ["claude-4.1-opus"]),
            ModelPrice(
                "claude-opus-4.5", input: 5.00, output: 25.00, cachedInput: 0.50, cacheWrite: 6.25,
                aliases: ["claude-4.5-opus"]),
            ModelPrice(
                "claude-opus-4.6", input: 5.00, output: 25.00, cachedInput: 0.50, cacheWrite: 6.25,
                aliases: ["claude-4.6-opus"]),
            ModelPrice(
                "claude-sonnet-4", input: 3.00, output: 15.00, cachedInput: 0.30, cacheWrite: 3.75,
                longContextThreshold: 200_000, longInput: 6.00, longOutput: 22.50, longCachedInput: 0.60,
                aliases: ["claude-4-sonnet"]),
            ModelPrice(
                "claude-sonnet-4.5", input: 3.00, output: 15.00, cachedInput: 0.30, cacheWrite: 3.75,
                longContextThreshold: 200_000, longInput: 6.00, longOutput: 22.50, longCachedInput: 0.60,
                aliases: ["claude-4.5-sonnet"]),
            ModelPrice(
                "claude-haiku-4.5", input: 1.00, output: 5.00, cachedInput: 0.10, cacheWrite: 1.25,
                aliases: ["claude-4.5-haiku"]),
            ModelPrice(
                "claude-3.5-haiku", input: 0.80, output: 4.00, cachedInput: 0.08, cacheWrite: 1.00,
                aliases: ["claude-haiku-3.5"]),
            ModelPrice(
                "gemini-2.5-pro", input: 1.25, output: 10.00, cachedInput: 0.125,
                longContextThreshold: 200_000, longInput: 2.50, longOutput: 15.00, longCachedInput: 0.25),
            ModelPrice("gemini-2.5-flash", input: 0.30, output: 2.50, cachedInput: 0.03),
            ModelPrice("gemini-2.0-flash", input: 0.10, output: 0.40),
        ], checked: "2026-11-01")
}
