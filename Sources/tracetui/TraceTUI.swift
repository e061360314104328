import ArgumentParser

@main
struct TraceTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracetui",
        abstract: "A terminal trace explorer for LLM and AI-agent applications.",
        discussion: """
            Opens OpenTelemetry traces (OTLP JSON, JSON Lines and protobuf files, or Jaeger and Zipkin JSON, \
            gzip or not; or traces fetched from Grafana Tempo and Jaeger) and shows each agent run as a tree \
            with the latency, tokens and cost of every step.
            """,
        // The one place the version is kept (scripts/check-install.sh reads it from here).
        version: "0.8.0",
        subcommands: [
            ViewCommand.self, SearchCommand.self, ListenCommand.self, SummaryCommand.self, DiffCommand.self,
            PricesCommand.self,
        ],
        defaultSubcommand: ViewCommand.self
    )
}
