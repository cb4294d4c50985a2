using BenchmarkDotNet.Attributes;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Meters;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;
using Tally.Billing.Usage;

namespace Tally.Benchmarks;

/// <summary>
/// The live bill's hot paths, per typical plan: <see cref="PeriodRating.Rate"/> over measured usage
/// (what the close and the grain share), the whole bill as the rating grain computes it from its
/// <see cref="UsageBook"/> (windows, measure, rate), and <see cref="UsageBook.Apply"/> of one usage
/// delta event against a bare parse of the same event data (the baseline of that pair).
/// </summary>
[MemoryDiagnoser]
public class RatingBenchmarks
{
    private static readonly BillingPeriod Period = RatingFixtures.November;
    private static readonly DateTimeOffset EventTime = Period.From.AddDays(9).AddHours(3);
    private const string EventData = """{"tokens":1234,"model":"small"}""";

    private RatingInput _input = null!;
    private MeasuredUsage _usage = null!;
    private UsageBook _book = null!;

    /// <summary>unit, graduated (with a flat base fee), volume, package, flat fee only, unit with a metered entitlement and two grants.</summary>
    [Params("unit", "graduated", "volume", "package", "flat", "unit+grants")]
    public string Plan { get; set; } = "unit";

    [GlobalSetup]
    public void Setup()
    {
        var (plan, grants) = RatingFixtures.Plan(Plan);
        var entitlements = grants.Count == 0 ? [] : new[] { RatingFixtures.Entitlement(Period.From) };
        _input = RatingInput.For(Period, Currency.Usd, [RatingFixtures.Subscribed(plan, Period.From.AddMonths(-1))], entitlements, grants);
        var windows = PeriodRating.WindowsToMeasure(_input);
        _usage = new MeasuredUsage(windows.ToDictionary(w => w, _ => 12_345m));
        _book = RatingFixtures.Book(windows);
        foreach (var window in windows)
        {
            _book.Apply("prompt", window.From, "bench", $"seed-{window.From.Ticks}", """{"tokens":12345}""");
        }
    }

    /// <summary>PeriodRating.Rate alone: the usage of every window already measured.</summary>
    [Benchmark]
    public RatedPeriod Rate() => PeriodRating.Rate(_input, _usage);

    /// <summary>What the grain's GetBillAsync computes after a change: the windows, their usage from the book, then the rating.</summary>
    [Benchmark]
    public RatedPeriod BillFromBook() => PeriodRating.Rate(_input, _book.Measure(PeriodRating.WindowsToMeasure(_input)));

    /// <summary>One delta event folded into the book (the event's data parsed, the meter read, the window found).</summary>
    [Benchmark]
    public bool ApplyUsageDelta() => _book.Apply("prompt", EventTime, "bench", "evt-1", EventData);

    /// <summary>Baseline of <see cref="ApplyUsageDelta"/>: only parsing the event's data, which Apply must do.</summary>
    [Benchmark]
    public int ParseEventData()
    {
        using var document = System.Text.Json.JsonDocument.Parse(EventData);
        return document.RootElement.GetProperty("tokens").GetInt32();
    }
}

/// <summary>The typical plans and catalog pieces both rating suites build on (November 2026, feature <c>tokens</c>).</summary>
internal static class RatingFixtures
{
    public const string Feature = "tokens";

    public static readonly BillingPeriod November = new(2026, 11);

    public static (Plan Plan, IReadOnlyList<Grant> Grants) Plan(string kind)
    {
        var unit = Usage(new UnitPrice(0.0125m));
        return kind switch
        {
            "unit" => (Of(unit), []),
            "graduated" => (Of(Flat(10m), Usage(new TieredPrice(TierMode.Graduated, [new PriceTier(1000m, null, 0m), new PriceTier(5000m, null, 0.002m), new PriceTier(null, null, 0.001m)]))), []),
            "volume" => (Of(Usage(new TieredPrice(TierMode.Volume, [new PriceTier(1000m, null, 0.003m), new PriceTier(10_000m, 1m, 0.002m), new PriceTier(null, 5m, 0.001m)]))), []),
            "package" => (Of(Usage(new PackagePrice(0.5m, 100m))), []),
            "flat" => (Of(Flat(29m)), []),
            "unit+grants" => (Of(unit), [Grant("grant_a", 5000m, 1), Grant("grant_b", 2000m, 2)]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown plan"),
        };
    }

    public static SubscribedPlan Subscribed(Plan plan, DateTimeOffset from) =>
        new(new Subscription("tnt", "sub_1", "cus_1", plan.Id, plan.Key, plan.Version, plan.Name, plan.Currency, from, null, from), plan);

    /// <summary>A metered entitlement to <see cref="Feature"/> whose usage period is the calendar month.</summary>
    public static Entitlement Entitlement(DateTimeOffset monthStart) =>
        new("tnt", "ent_1", EntitlementType.Metered, "cus_1", "feat_tokens", Feature, monthStart.AddMonths(-1), null, monthStart.AddMonths(-1))
        {
            UsagePeriod = new RecurringPeriod(IsoDuration.Month, monthStart),
            MeasureUsageFrom = monthStart.AddMonths(-1),
        };

    public static Grant Grant(string id, decimal amount, int priority) =>
        new("tnt", id, "ent_1", amount, priority, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero))
        {
            Expiration = new GrantExpiration(ExpirationUnit.Year, 1),
        };

    /// <summary>A book measuring <see cref="Feature"/> (SUM of <c>$.tokens</c> over <c>prompt</c> events) cut at the windows' bounds.</summary>
    public static UsageBook Book(IEnumerable<UsageWindow> windows)
    {
        var meter = new MeterDefinition("tnt", "mtr_1", Feature, null, "prompt", MeterAggregation.Sum, "$.tokens", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var cuts = windows.SelectMany(w => new[] { w.From, w.To }).ToList();
        return new UsageBook([(Feature, meter, cuts.Count == 0 ? [new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)] : cuts)]);
    }

    private static Plan Of(params RateCard[] cards) =>
        new("tnt", "plan_1", "bench", 1, "Bench", Currency.Usd, IsoDuration.Month, [new PlanPhase("default", "Default", null, cards)], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static RateCard Usage(UsagePrice price) => new(RateCardType.UsageBased, Feature, "Tokens", Feature, IsoDuration.Month, price);

    private static RateCard Flat(decimal amount) => new(RateCardType.FlatFee, "base", "Base fee", null, IsoDuration.Month, new FlatPrice(amount));
}
