namespace Tally.Bench.Report;

/// <summary>Everything one <c>tally bench</c> run measured, as written to <c>--json</c>.</summary>
public sealed record BenchReport
{
    public required string Command { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required string Machine { get; init; }

    /// <summary>The 1-minute load average when the run started and when it ended (other work on the machine).</summary>
    public required double[] LoadAverage { get; init; }

    public required string Target { get; init; }

    public required string Profile { get; init; }

    public required ulong Seed { get; init; }

    public required IReadOnlyList<PhaseReport> Phases { get; init; }

    public required IReadOnlyList<StageReport> Stages { get; init; }

    public required IReadOnlyList<ProcessReport> Processes { get; init; }

    public required BytesPerEventReport BytesPerEvent { get; init; }

    public required CorrectnessReport Correctness { get; init; }

    public required IReadOnlyList<GoalReport> Goals { get; init; }

    public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>False when Tally refused a batch, or a meter lost or double counted.</summary>
    public bool Passed => Correctness.Passed && Phases.All(p => p.Failure is null);
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(long Count, double P50, double P99, double P999, double Max);

/// <summary>
/// One load phase, started <see cref="StartSecond"/> after the bench did. <see cref="EndToEndPerSecond"/>: the phase's events over the time from its first send
/// until the aggregator had committed all of them (<see cref="CatchUpSeconds"/> after the last acknowledgement).
/// </summary>
public sealed record PhaseReport(
    string Mode,
    double StartSecond,
    long? TargetEventsPerSecond,
    double DurationSeconds,
    long Events,
    double AcknowledgedPerSecond,
    double? EndToEndPerSecond,
    double? CatchUpSeconds,
    IReadOnlyDictionary<string, long> EventsByProtocol,
    Percentiles AckLatencyMs,
    Percentiles? FreshnessMs,
    string? Failure)
{
    /// <summary>Where the aggregator's time went during the phase and its catch-up, per step of its cycle (empty when /metrics does not tell).</summary>
    public IReadOnlyList<CyclePhaseReport> AggregatorCycle { get; init; } = [];
}

/// <summary>One step of the aggregator's cycle over a phase: how often it ran and the time it took in all.</summary>
public sealed record CyclePhaseReport(string Phase, long Count, double TotalSeconds)
{
    public double MeanMs => Count > 0 ? TotalSeconds * 1000 / Count : 0;
}

/// <summary>A stage's rate against the same-run baseline it is built on.</summary>
public sealed record StageReport(string Stage, double EventsPerSecond, string Baseline, double BaselinePerSecond)
{
    public double Ratio => BaselinePerSecond > 0 ? EventsPerSecond / BaselinePerSecond : double.NaN;
}

/// <summary>A watched process over the load phases: CPU seconds, mean CPU (100 = one core busy), peak resident set.</summary>
public sealed record ProcessReport(string Stage, double CpuSeconds, double MeanCpuPercent, double PeakRssMiB);

/// <summary>Bytes per event on the wire, in the event log and in ClickHouse (null when not measurable, e.g. against a remote deployment).</summary>
public sealed record BytesPerEventReport(double? WireHttp, double? WireGrpc, double? Log, double? ClickHouse);

/// <summary>Every meter of every tenant compared with the generator's exact expectation.</summary>
public sealed record CorrectnessReport(int MetersChecked, long EventsCounted, long EventsSent, IReadOnlyList<string> Mismatches)
{
    public bool Passed => MetersChecked > 0 && Mismatches.Count == 0;
}

/// <summary>One of the goals; <see cref="Met"/> is null when the run could not measure it.</summary>
public sealed record GoalReport(string Goal, string Measured, bool? Met);

/// <summary>One second of the run: rates over that second, CPU (100 = one core) and memory per process, freshness probes answered in it.</summary>
public sealed record TimelinePoint(
    double Second,
    double AcknowledgedPerSecond,
    double? CommittedPerSecond,
    IReadOnlyDictionary<string, double> CpuPercent,
    IReadOnlyDictionary<string, double> RssMiB,
    double? FreshnessMs);
