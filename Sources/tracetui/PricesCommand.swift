import ArgumentParser
import TraceAnalysis
import TraceReports

struct PricesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices",
        abstract: "Show the model price table in use (USD per million tokens).",
        discussion: """
            The embedded table, overridden by $XDG_CONFIG_HOME/tracetui/prices.json (or ~/.config/…) and then by \
            each --prices file. Model names in spans match an entry after dropping provider prefixes \
            (openai/), Bedrock region and vendor prefixes (us.anthropic.), version and date suffixes \
            (-v1:0, @20250514, -2024-08-06, -20250514, -latest), with dots read as dashes.
            """
    )

    @OptionGroup var prices: PriceOptions

    func run() throws {
        let table = try prices.table()
        print(PriceReport.render(table))
    }
}
