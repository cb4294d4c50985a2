using BenchmarkDotNet.Attributes;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Benchmarks;

/// <summary>
/// Rating a customer's bill, the pure part (no ledger, no usage store): rate a month of a plan with 20
/// usage-based rate cards, half unit prices and half graduated tiers (<see cref="PeriodRating.Rate"/>,
/// every line rounded once), and draft the invoice from it (<see cref="InvoiceDrafting.Draft"/>). The
/// live bill does the first whenever usage changes, the period close both per customer. Rating's own
/// adapters (<c>Tally.Rating</c>) are not referenced here: they bring Orleans, whose code generator
/// clashes with BenchmarkDotNet's Roslyn.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class BillRatingBenchmarks
{
    private const int RateCards = 20;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 1, 0, 0, TimeSpan.Zero);
    private RatingInput _input = null!;
    private MeasuredUsage _usage = null!;
    private BillingDemand _demand = null!;

    [GlobalSetup]
    public void Setup()
    {
        var period = new BillingPeriod(2026, 11);
        var cards = Enumerable.Range(0, RateCards).Select(i => new RateCard(
            RateCardType.UsageBased,
            $"card-{i}",
            $"Card {i}",
            $"feature-{i}",
            IsoDuration.Month,
            i % 2 == 0
                ? new UnitPrice(0.0001m * (i + 1))
                : new TieredPrice(TierMode.Graduated, [new PriceTier(1_000m, null, 0m), new PriceTier(1_000_000m, null, 0.001m), new PriceTier(null, null, 0.0005m)])))
            .ToList();
        var plan = new Plan("tnt_bench", "pln_1", "pro", 1, "Pro", Currency.Usd, IsoDuration.Month, [new PlanPhase("default", "Default", null, cards)], Now) { EffectiveFrom = period.From };
        var subscription = new Subscription("tnt_bench", "sub_1", "cus_1", plan.Id, plan.Key, plan.Version, plan.Name, Currency.Usd, period.From, null, Now);
        _input = RatingInput.For(period, Currency.Usd, [new SubscribedPlan(subscription, plan)], [], []);
        _usage = new MeasuredUsage(PeriodRating.WindowsToMeasure(_input).Select((window, i) => (window, 1_234_567.891m * (i + 1))).ToDictionary(x => x.window, x => x.Item2));
        var customer = new Customer("tnt_bench", "cus_1", "cust-1", "Customer", ["cust-1"], Currency.Usd, Now);
        _demand = new BillingDemand(customer, period, period.From, period.To, Currency.Usd, "pro@v1", [], _input);
    }

    [Benchmark(Baseline = true, Description = "PeriodRating.Rate, 20 rate cards")]
    public Money Rate() => PeriodRating.Rate(_input, _usage).Total;

    [Benchmark(Description = "rate + InvoiceDrafting.Draft")]
    public decimal RateAndDraft() => InvoiceDrafting.Draft("inv_1", "run_1", _demand, PeriodRating.Rate(_input, _usage), [], Now, Now).Total;
}
