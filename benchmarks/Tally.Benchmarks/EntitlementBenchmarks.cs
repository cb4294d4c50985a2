using BenchmarkDotNet.Attributes;
using Tally.Billing.Calendar;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;
using Tally.Billing.Usage;

namespace Tally.Benchmarks;

/// <summary>
/// An entitlement value as the rating grain computes it for <c>GET …/entitlements/{feature}/value</c>
/// when its cached value is stale: the grant burn-down from the last reset to now over the grain's
/// <see cref="UsageBook"/>, then <see cref="EntitlementValue.Of"/>. Params: how many grants the
/// entitlement has (the third recurs daily, which cuts the month into a window a day).
/// </summary>
[MemoryDiagnoser]
public class EntitlementBenchmarks
{
    private static readonly DateTimeOffset Now = RatingFixtures.November.From.AddDays(17).AddHours(5);

    private Entitlement _entitlement = null!;
    private IReadOnlyList<Grant> _grants = null!;
    private UsageBook _book = null!;

    [Params(1, 2, 3)]
    public int Grants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _entitlement = RatingFixtures.Entitlement(RatingFixtures.November.From);
        var grants = new List<Grant> { RatingFixtures.Grant("grant_a", 5000m, 1), RatingFixtures.Grant("grant_b", 2000m, 2) };
        grants.Add(RatingFixtures.Grant("grant_c", 100m, 3) with { Recurrence = new RecurringPeriod(new IsoDuration(0, 1, TimeSpan.Zero), RatingFixtures.November.From) });
        _grants = grants.Take(Grants).ToList();
        var windows = GrantBurnDown.Windows(_entitlement, _grants, Now, Now).Select(w => new UsageWindow(RatingFixtures.Feature, w.From, w.To)).ToList();
        _book = RatingFixtures.Book(windows);
        foreach (var window in windows)
        {
            _book.Apply("prompt", window.From, "bench", $"seed-{window.From.Ticks}", """{"tokens":321}""");
        }
    }

    /// <summary>The burn-down alone (windows, usage per window from the book, grants burnt in order).</summary>
    [Benchmark]
    public BurnDownResult BurnDown() =>
        GrantBurnDown.Run(_entitlement, _grants, Now, Now, (from, to) => _book.Usage(RatingFixtures.Feature, from, to));

    /// <summary>The value the route answers: the burn-down, then the value with its balances.</summary>
    [Benchmark]
    public EntitlementValue Value() =>
        EntitlementValue.Of(_entitlement, Now, GrantBurnDown.Run(_entitlement, _grants, Now, Now, (from, to) => _book.Usage(RatingFixtures.Feature, from, to)));

    /// <summary>When the value next changes without usage (how long the grain may cache it).</summary>
    [Benchmark]
    public DateTimeOffset NextChange() => GrantBurnDown.NextChangeAfter(_entitlement, _grants, Now);
}
