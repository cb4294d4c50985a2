using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Tests.Invoicer.Fakes;

/// <summary>
/// Usage totals fixed by the test per meter and subject list (zero otherwise), recording every question
/// so a test can check the range the caller asked for.
/// </summary>
internal sealed class FixedUsageReader : IUsageReader
{
    private readonly Dictionary<(string MeterId, string Subjects), decimal> totals = [];
    private readonly List<UsageQuery> queries = [];
    private readonly Lock gate = new();

    public IReadOnlyList<UsageQuery> Queries
    {
        get
        {
            lock (gate)
            {
                return [.. queries];
            }
        }
    }

    public void Set(string meterId, IReadOnlyList<string> subjects, decimal total) => totals[(meterId, Key(subjects))] = total;

    public Task<decimal> GetTotalAsync(MeterDefinition meter, IReadOnlyList<string> subjects, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            queries.Add(new UsageQuery(meter.Id, Key(subjects), from, to));
        }

        return Task.FromResult(totals.GetValueOrDefault((meter.Id, Key(subjects))));
    }

    private static string Key(IReadOnlyList<string> subjects) => string.Join(',', subjects);
}

/// <summary>One call to <see cref="FixedUsageReader"/>; <see cref="Subjects"/> is comma-joined.</summary>
internal sealed record UsageQuery(string MeterId, string Subjects, DateTimeOffset From, DateTimeOffset To);
