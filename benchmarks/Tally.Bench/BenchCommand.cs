using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tally.Bench.Generation;
using Tally.Bench.Report;

namespace Tally.Bench;

/// <summary>The <c>tally bench</c> command line (run through <c>./tally bench</c>, which builds it first).</summary>
public static class BenchCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Written to a file or a pipe, the tables keep their rows on one line each.
            AnsiConsole.Profile.Width = 200;
        }

        var profile = new Option<string>("--profile") { Description = "small, medium or large (tenants, customers, groupBy values, batch size, senders).", DefaultValueFactory = _ => "small" };
        var duration = new Option<string>("--duration") { Description = "How long each load phase runs: 60s, 2m, ...", DefaultValueFactory = _ => "60s" };
        var rate = new Option<long?>("--rate") { Description = "Only an open-loop phase at this many events/s (default: closed loop, then open loop at half the rate it sustained end to end)." };
        var against = new Option<string?>("--against") { Description = "Base URL of a running Tally instead of starting one here." };
        var adminToken = new Option<string?>("--admin-token") { Description = "Admin token of --against (default $TALLY_ADMIN_TOKEN)." };
        var layout = new Option<string>("--layout") { Description = "one-process (tally up's layout) or stages (gateway, aggregator and API each in its own process over librdkafka's mock Kafka cluster, so CPU and memory are measured per stage).", DefaultValueFactory = _ => "one-process" };
        var grpc = new Option<string?>("--grpc") { Description = "gRPC ingest URL of --against (without it every sender uses HTTP)." };
        var clickHouse = new Option<string?>("--clickhouse") { Description = "ClickHouse.Driver connection string of --against's store, for the bare INSERT baseline and bytes per event." };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON to this file." };
        var plot = new Option<string?>("--plot") { Description = "Write the run's plot over time as SVG to this file." };
        var baselineEvents = new Option<long>("--baseline-events") { Description = "At most this many of the run's events go through the baselines.", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generator.", DefaultValueFactory = _ => 20261127 };
        var command = new RootCommand("Measures the whole pipeline against its same-run baselines, checks every meter's total, and reports a table, JSON and a plot.")
        {
            profile, duration, rate, against, adminToken, layout, grpc, clickHouse, json, plot, baselineEvents, seed,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            BenchOptions options;
            try
            {
                options = new BenchOptions
                {
                    Profile = LoadProfile.Named(result.GetValue(profile)!),
                    Duration = BenchOptions.ParseDuration(result.GetValue(duration)!),
                    Rate = result.GetValue(rate) is { } r and <= 0 ? throw new ArgumentException("--rate must be positive.") : result.GetValue(rate),
                    Against = result.GetValue(against) is { } url ? new Uri(url) : null,
                    AdminToken = result.GetValue(adminToken) ?? Environment.GetEnvironmentVariable("TALLY_ADMIN_TOKEN"),
                    Layout = result.GetValue(layout) switch
                    {
                        "one-process" => BenchLayout.OneProcess,
                        "stages" => BenchLayout.Stages,
                        var other => throw new ArgumentException($"--layout: '{other}' is neither one-process nor stages."),
                    },
                    GrpcUrl = result.GetValue(grpc) is { } g ? new Uri(g) : null,
                    ClickHouse = result.GetValue(clickHouse),
                    JsonFile = result.GetValue(json),
                    PlotFile = result.GetValue(plot),
                    BaselineEvents = result.GetValue(baselineEvents),
                    Seed = result.GetValue(seed),
                };
                if (options.Against is not null && string.IsNullOrEmpty(options.AdminToken))
                {
                    throw new ArgumentException("--against needs --admin-token (or TALLY_ADMIN_TOKEN): the bench creates its own tenants.");
                }
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            var report = await new BenchRun(options, "tally bench " + string.Join(' ', args)).ExecuteAsync(cancellationToken);
            ReportConsole.Write(report);
            if (options.JsonFile is { } jsonFile)
            {
                await File.WriteAllTextAsync(jsonFile, ReportJson.Serialize(report), cancellationToken);
            }

            if (options.PlotFile is { } plotFile)
            {
                await File.WriteAllTextAsync(plotFile, RunTimeline.Plot(report), cancellationToken);
            }

            if (!report.Passed)
            {
                AnsiConsole.MarkupLine("[red bold]tally bench FAILED: Tally refused a batch or a meter's total is wrong (see above).[/]");
            }

            return report.Passed ? 0 : 1;
        });
        command.Subcommands.Add(Queries.QueriesCommand.Create());
        command.Subcommands.Add(Replot());
        return command.Parse(args).InvokeAsync();
    }

    /// <summary><c>tally bench plot REPORT.json PLOT.svg</c>: draws a saved report's plot again (after a change of the drawing).</summary>
    private static Command Replot()
    {
        var json = new Argument<string>("report") { Description = "A report written by --json." };
        var svg = new Argument<string>("plot") { Description = "The SVG file to write." };
        var command = new Command("plot", "Draw the plot of a saved JSON report again.") { json, svg };
        command.SetAction(async (result, cancellationToken) =>
        {
            var report = ReportJson.Deserialize(await File.ReadAllTextAsync(result.GetValue(json)!, cancellationToken));
            await File.WriteAllTextAsync(result.GetValue(svg)!, RunTimeline.Plot(report), cancellationToken);
            return 0;
        });
        return command;
    }
}
