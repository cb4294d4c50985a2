using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Spectre.Console;
using Tally.Bench.Baselines;
using Tally.Bench.Generation;
using Tally.Bench.Load;
using Tally.Bench.Report;
using Tally.Bench.Target;

namespace Tally.Bench;

/// <summary>
/// One <c>tally bench</c> run: start (or reach) Tally, create the tenants and meters, run the load phases
/// with freshness probes and a once-a-second sampler, wait for the aggregator, check every meter's total,
/// then the baselines of the same records, and write the report.
/// </summary>
public sealed class BenchRun(BenchOptions options, string command)
{
    private const string CommittedMetric = "tally_aggregator_records_total";
    private const string CycleSeconds = "tally_aggregator_cycle_phase_duration_seconds_sum";
    private const string CycleCount = "tally_aggregator_cycle_phase_duration_seconds_count";
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromMinutes(10);
    private readonly List<Snapshot> _snapshots = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private double? _committedAtStart;

    public async Task<BenchReport> ExecuteAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        var profile = options.Profile;
        await using var target = options.Against is { } url
            ? TallyTarget.Remote(url, options.AdminToken!, options.GrpcUrl, options.ClickHouse)
            : options.Layout == BenchLayout.Stages
                ? await TallyTarget.StartStagesAsync(Status)
                : await TallyTarget.StartLocalAsync(Status);
        using var admin = new TallyAdminClient(target.BaseUrl, target.AdminToken);
        using var aggregatorMetrics = new TallyAdminClient(target.MetricsUrl, target.AdminToken);
        var runId = Guid.NewGuid().ToString("N")[..8];
        AnsiConsole.MarkupLine($"[grey]creating {profile.Tenants} tenants with {BenchMeters.All.Count} meters each[/]");
        var tenants = await BenchTenants.CreateAsync(admin, runId, profile.Tenants, cancellationToken);

        var source = new BatchSource(new EventGenerator(profile, options.Seed, startedAt));
        var senders = Enumerable.Range(0, profile.HttpSenders).Select(_ => (IBatchSender)new HttpBatchSender(target.IngestUrl))
            .Concat(Enumerable.Range(0, target.GrpcUrl is null ? profile.GrpcSenders : 0).Select(_ => new HttpBatchSender(target.IngestUrl)))
            .Concat(Enumerable.Range(0, target.GrpcUrl is null ? 0 : profile.GrpcSenders).Select(_ => new GrpcBatchSender(target.GrpcUrl!)))
            .ToList();
        var load = new LoadPhase(source, senders, tenants.ApiKeys);
        var probe = new FreshnessProbe(target.IngestUrl, tenants.ProbeApiKey, admin);
        using var sampler = new ProcessSampler(target.Processes);
        var phases = new List<PhaseRun>();
        try
        {
            await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    if (options.Rate is null)
                    {
                        var closed = await PhaseAsync(progress, "closed loop", load, probe, sampler, aggregatorMetrics, ct => load.ClosedLoopAsync(options.Duration, ct), cancellationToken);
                        phases.Add(closed);
                        if (closed.Outcome.Failure is not null)
                        {
                            return;
                        }

                        // Half of what the whole pipeline sustained (end to end), not of what ingest acknowledged:
                        // a rate the aggregator cannot keep up with grows a backlog and freshness without bound.
                        var half = (long)Math.Round(SustainedRate(closed) / 2);
                        phases.Add(await PhaseAsync(progress, $"open loop at {half:N0}/s", load, probe, sampler, aggregatorMetrics, ct => load.OpenLoopAsync(half, options.Duration, ct), cancellationToken));
                    }
                    else
                    {
                        phases.Add(await PhaseAsync(progress, $"open loop at {options.Rate:N0}/s", load, probe, sampler, aggregatorMetrics, ct => load.OpenLoopAsync(options.Rate.Value, options.Duration, ct), cancellationToken));
                    }
                });
        }
        finally
        {
            foreach (var sender in senders)
            {
                sender.Dispose();
            }
        }

        AnsiConsole.MarkupLine($"[grey]checking {tenants.ApiKeys.Count * BenchMeters.All.Count + 1} meters against the generator's totals[/]");
        var expected = ExpectedTotals.Of(profile, options.Seed, startedAt, source.Taken);
        var (metersChecked, mismatches) = await TotalsCheck.RunAsync(admin, tenants, expected, probe.Sent, cancellationToken);
        if (expected.Sent != load.Acknowledged)
        {
            mismatches = [.. mismatches, $"the generator made {expected.Sent:N0} events for the batches sent, {load.Acknowledged:N0} were acknowledged"];
        }

        var records = expected.Sent + probe.Sent;
        var bytes = await BytesAsync(target, phases.Select(p => p.Outcome).ToList(), records, expected.Events + probe.Sent, cancellationToken);
        await target.StopServerAsync();

        AnsiConsole.MarkupLine("[grey]baselines: bare JSON scan, log append and read, bare INSERT of the same records[/]");
        var baselines = await SameRunBaselines.RunAsync(options, tenants.Ids, startedAt, target.ClickHouseConnectionString, target.KafkaBootstrapServers, source.Taken, cancellationToken);
        var phaseReports = phases.Select(p => ToReport(p.Outcome, p.From, p.Freshness, p.CatchUp) with { AggregatorCycle = p.Cycle }).ToList();
        var measured = phaseReports.FirstOrDefault(p => p.TargetEventsPerSecond is null) ?? phaseReports.FirstOrDefault();
        var stages = measured is null ? [] : SameRunBaselines.Stages(measured, baselines);
        var timeline = RunTimeline.Points(_snapshots, probe.Samples);
        var from = phases.Count == 0 ? 0 : phases[0].From;
        var to = phases.Count == 0 ? 0 : phases[^1].To;
        return new BenchReport
        {
            Command = command,
            StartedAt = startedAt,
            Machine = Machine(),
            LoadAverage = [loadAtStart, LoadAverage()],
            Target = target.Description,
            Profile = $"{profile.Name}: {profile.Tenants} tenants (Zipf {profile.TenantSkew}), {profile.CustomersPerTenant} customers each (Zipf {profile.CustomerSkew}), {profile.GroupByValues} values per groupBy, batches of {profile.BatchSize}, {profile.HttpSenders} HTTP + {profile.GrpcSenders} gRPC senders, {profile.DuplicateShare:P1} re-sent, {profile.LateShare:P1} late; {options.Duration.TotalSeconds:F0} s per phase",
            Seed = options.Seed,
            Phases = phaseReports,
            Stages = stages,
            Processes = RunTimeline.Processes(_snapshots, from, to, sampler.PeakRss),
            BytesPerEvent = bytes with { Log = bytes.Log ?? baselines.Log.BytesPerRecord, ClickHouse = bytes.ClickHouse ?? baselines.Insert?.BytesPerRow },
            Correctness = new CorrectnessReport(metersChecked, expected.Events, expected.Sent, mismatches),
            Goals = Goals.Judge(phaseReports, stages),
            Timeline = timeline,
        };
    }

    private async Task<PhaseRun> PhaseAsync(
        ProgressContext progress, string name, LoadPhase load, FreshnessProbe probe, ProcessSampler sampler, TallyAdminClient metrics,
        Func<CancellationToken, Task<PhaseOutcome>> run, CancellationToken cancellationToken)
    {
        var bar = progress.AddTask(name, maxValue: options.Duration.TotalSeconds);
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sampling = new CancellationTokenSource();
        var from = Elapsed;
        var cycleBefore = await metrics.MetricsAsync(CancellationToken.None);
        await SampleAsync(load, probe, sampler, metrics);
        var sampled = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(CancellationToken.None) && !sampling.IsCancellationRequested)
            {
                var snapshot = await SampleAsync(load, probe, sampler, metrics);
                bar.Value = Math.Min(options.Duration.TotalSeconds, snapshot.Second - from);
                if (_snapshots.Count >= 2)
                {
                    var (before, now) = (_snapshots[^2], _snapshots[^1]);
                    var acked = (now.Acknowledged - before.Acknowledged) / (now.Second - before.Second);
                    var stored = now.Committed is { } c && before.Committed is { } b ? $", {(c - b) / (now.Second - before.Second):N0} stored/s" : "";
                    bar.Description = Markup.Escape($"{name}: {acked:N0} acked/s{stored}");
                }
            }
        }, CancellationToken.None);
        var probed = probe.RunAsync(_started, probing.Token);
        var outcome = await run(cancellationToken);
        bar.Value = bar.MaxValue;

        // The phase is over when the aggregator has committed every record acknowledged so far (when /metrics tells).
        var acknowledged = load.Acknowledged;
        double? catchUp = null;
        var lastAnswer = Elapsed;
        while (Elapsed - lastAnswer < CatchUpTimeout.TotalSeconds && !cancellationToken.IsCancellationRequested)
        {
            var committed = await CommittedAsync(metrics);
            if (committed is null)
            {
                break;
            }

            if (committed >= acknowledged + probe.Sent)
            {
                catchUp = Elapsed - lastAnswer;
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        await probing.CancelAsync();
        var freshness = await probed;
        await sampling.CancelAsync();
        await sampled;
        await SampleAsync(load, probe, sampler, metrics);
        return new PhaseRun(outcome, freshness, from, Elapsed, catchUp, Cycle(cycleBefore, await metrics.MetricsAsync(CancellationToken.None)));
    }

    /// <summary>The aggregator's time per step of its cycle between two scrapes of its <c>/metrics</c>.</summary>
    private static IReadOnlyList<CyclePhaseReport> Cycle(string? before, string? after)
    {
        if (before is null || after is null)
        {
            return [];
        }

        var (seconds0, counts0) = (PrometheusText.SumBy(before, CycleSeconds, "phase"), PrometheusText.SumBy(before, CycleCount, "phase"));
        var (seconds1, counts1) = (PrometheusText.SumBy(after, CycleSeconds, "phase"), PrometheusText.SumBy(after, CycleCount, "phase"));
        return [.. seconds1.Select(p => new CyclePhaseReport(
            p.Key,
            (long)(counts1.GetValueOrDefault(p.Key) - counts0.GetValueOrDefault(p.Key)),
            Math.Round(p.Value - seconds0.GetValueOrDefault(p.Key), 3)))];
    }

    private static double SustainedRate(PhaseRun closed) =>
        closed.Outcome.Events / (closed.Outcome.Elapsed.TotalSeconds + (closed.CatchUp ?? 0));

    private sealed record PhaseRun(PhaseOutcome Outcome, LongHistogram Freshness, double From, double To, double? CatchUp, IReadOnlyList<CyclePhaseReport> Cycle);

    private double Elapsed => Stopwatch.GetElapsedTime(_started).TotalSeconds;

    private async Task<Snapshot> SampleAsync(LoadPhase load, FreshnessProbe probe, ProcessSampler sampler, TallyAdminClient metrics)
    {
        var snapshot = new Snapshot(Elapsed, load.Acknowledged + probe.Sent, await CommittedAsync(metrics), sampler.Sample());
        lock (_snapshots)
        {
            _snapshots.Add(snapshot);
        }

        return snapshot;
    }

    /// <summary>Records the aggregator has committed since the run started, from <c>/metrics</c>; null when not served.</summary>
    private async Task<double?> CommittedAsync(TallyAdminClient metrics)
    {
        var text = await metrics.MetricsAsync(CancellationToken.None);
        if (text is null)
        {
            return null;
        }

        var value = PrometheusText.Sum(text, CommittedMetric) ?? 0;
        _committedAtStart ??= value;
        return value - _committedAtStart;
    }

    private static PhaseReport ToReport(PhaseOutcome outcome, double started, LongHistogram freshness, double? catchUp)
    {
        var seconds = outcome.Elapsed.TotalSeconds;
        return new PhaseReport(
            outcome.Mode,
            Math.Round(started, 3),
            outcome.TargetEventsPerSecond,
            Math.Round(seconds, 3),
            outcome.Events,
            Math.Round(outcome.Events / seconds),
            catchUp is { } c ? Math.Round(outcome.Events / (seconds + c)) : null,
            catchUp is { } u ? Math.Round(u, 3) : null,
            outcome.EventsByProtocol,
            Milliseconds(outcome.AckLatencyMicroseconds),
            freshness.TotalCount == 0 ? null : Milliseconds(freshness),
            outcome.Failure);
    }

    private static Percentiles Milliseconds(LongHistogram microseconds) => microseconds.TotalCount == 0
        ? new Percentiles(0, 0, 0, 0, 0)
        : new Percentiles(
            microseconds.TotalCount,
            microseconds.GetValueAtPercentile(50) / 1000.0,
            microseconds.GetValueAtPercentile(99) / 1000.0,
            microseconds.GetValueAtPercentile(99.9) / 1000.0,
            microseconds.GetMaxValue() / 1000.0);

    private static async Task<BytesPerEventReport> BytesAsync(TallyTarget target, IReadOnlyList<PhaseOutcome> phases, long records, long stored, CancellationToken cancellationToken)
    {
        double? PerEvent(string protocol)
        {
            var events = phases.Sum(p => p.EventsByProtocol.GetValueOrDefault(protocol));
            return events == 0 ? null : Math.Round((double)phases.Sum(p => p.BytesByProtocol.GetValueOrDefault(protocol)) / events, 1);
        }

        double? log = target.LogDirectory is { } directory && records > 0 ? Math.Round((double)LogBaseline.DirectoryBytes(directory) / records, 1) : null;
        double? clickHouse = null;
        if (target.ClickHouseConnectionString is { } connection && stored > 0)
        {
            using var store = BareInsertBaseline.Connect(connection, "tally");
            clickHouse = Math.Round((double)await BareInsertBaseline.EventBytesAsync(store, cancellationToken) / stored, 1);
        }

        return new BytesPerEventReport(PerEvent("http"), PerEvent("grpc"), log, clickHouse);
    }

    private static void Status(string text) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}";
}
