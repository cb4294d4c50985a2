using Tally.Billing.Closing;
using Tally.Billing.Meters;

namespace Tally.Tests.Invoicer.Fakes;

/// <summary>
/// Usage the test fixes per meter, customer and period start (zero otherwise), plus usage placed at
/// instants, counted by every window that holds its instant; the cutoff is the test's clock. Every
/// question is recorded so a test can check the window the close asked for.
/// </summary>
internal sealed class FixedClosingUsage(TimeProvider clock) : IClosingUsage
{
    private readonly Dictionary<(string MeterId, string CustomerId, DateTimeOffset Month), decimal> totals = [];
    private readonly List<(string MeterId, string CustomerId, DateTimeOffset At, decimal Quantity)> placed = [];
    private readonly List<ClosingQuery> queries = [];
    private readonly Lock gate = new();

    public IReadOnlyList<ClosingQuery> Queries
    {
        get
        {
            lock (gate)
            {
                return [.. queries];
            }
        }
    }

    /// <summary>When set, the next totals query throws it.</summary>
    public Exception? FailNext { get; set; }

    public void Set(string meterId, string customerId, DateTimeOffset month, decimal total)
    {
        lock (gate)
        {
            totals[(meterId, customerId, month)] = total;
        }
    }

    /// <summary>Usage of <paramref name="quantity"/> at <paramref name="at"/>: in a window [from, to) when from &lt;= at &lt; to.</summary>
    public void Place(string meterId, string customerId, DateTimeOffset at, decimal quantity)
    {
        lock (gate)
        {
            placed.Add((meterId, customerId, at, quantity));
        }
    }

    public Task<DateTimeOffset> CutoffAsync(CancellationToken cancellationToken) => Task.FromResult(clock.GetUtcNow());

    public Task<IReadOnlyDictionary<string, decimal>> TotalsByCustomerAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyDictionary<string, string> customerBySubject,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset cutoff,
        CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (FailNext is { } error)
            {
                FailNext = null;
                throw error;
            }

            var month = new DateTimeOffset(from.Year, from.Month, 1, 0, 0, 0, TimeSpan.Zero);
            var result = new Dictionary<string, decimal>();
            foreach (var customer in customerBySubject.Values.Distinct())
            {
                queries.Add(new ClosingQuery(meter.Slug, customer, from, to));
                if (totals.TryGetValue((meter.Id, customer, month), out var total))
                {
                    result[customer] = total;
                }

                foreach (var usage in placed.Where(p => p.MeterId == meter.Id && p.CustomerId == customer && p.At >= from && p.At < to))
                {
                    result[customer] = result.GetValueOrDefault(customer) + usage.Quantity;
                }
            }

            return Task.FromResult<IReadOnlyDictionary<string, decimal>>(result);
        }
    }

    public Task<long> CountEventsAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset? storedAfter,
        DateTimeOffset storedUntil,
        CancellationToken cancellationToken) => Task.FromResult(3L);
}

/// <summary>One customer's part of a totals query.</summary>
internal sealed record ClosingQuery(string MeterSlug, string CustomerId, DateTimeOffset From, DateTimeOffset To);

/// <summary>A watermark the test moves by hand: reached or not.</summary>
internal sealed class ManualWatermark : IUsageWatermark
{
    public bool Reached { get; set; }

    public int Snapshots { get; private set; }

    public Task<IReadOnlyList<long>> SnapshotAsync(CancellationToken cancellationToken)
    {
        Snapshots++;
        return Task.FromResult<IReadOnlyList<long>>([Snapshots * 100L]);
    }

    public Task<bool> ReachedAsync(IReadOnlyList<long> snapshot, CancellationToken cancellationToken) => Task.FromResult(Reached);
}

/// <summary>Roll-ups that agree with the events unless the test names a meter that drifted.</summary>
internal sealed class ReconciledRollups : Tally.Billing.Usage.IUsageRollups
{
    public HashSet<string> Drifted { get; } = [];

    public Task<IReadOnlyList<Tally.Billing.Usage.PendingHour>> PendingAsync(MeterDefinition meter, DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Tally.Billing.Usage.PendingHour>>([]);

    public Task RollUpAsync(MeterDefinition meter, Tally.Billing.Usage.PendingHour hour, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Tally.Billing.Usage.HourDifference>> ReconcileAsync(MeterDefinition meter, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Tally.Billing.Usage.HourDifference>>(
            Drifted.Contains(meter.Slug) ? [new Tally.Billing.Usage.HourDifference(from, 1m, 2m, 1, 2, Pending: false)] : []);
}
