using System.Globalization;
using BenchmarkDotNet.Attributes;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Pricing;

namespace Tally.Benchmarks;

/// <summary>
/// Rating a customer's bill, the pure part (no ledger, no usage store): price the usage of a plan with 20
/// rate cards (<see cref="UsagePricing.Price"/>, each line rounded once), and draft the invoice from the
/// rated lines (<see cref="InvoiceDrafting.Draft"/>). The live bill does the first per request, the period
/// close both per customer. Rating's own adapters (<c>Tally.Rating</c>) are not referenced here: they bring
/// Orleans, whose code generator clashes with BenchmarkDotNet's Roslyn.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class BillRatingBenchmarks
{
    private const int RateCards = 20;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 1, 0, 0, TimeSpan.Zero);
    private Plan _plan = null!;
    private Dictionary<string, decimal> _usage = [];
    private BillingDemand _demand = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cards = Enumerable.Range(0, RateCards).Select(i => new RateCard($"card-{i}", $"meter-{i}", 0.0001m * (i + 1))).ToList();
        _plan = new Plan("tnt_bench", "pln_1", "pro", "Pro", Currency.Usd, cards, Now);
        _usage = cards.ToDictionary(c => c.MeterSlug, c => 1_234_567.891m * (cards.IndexOf(c) + 1));
        var customer = new Customer("tnt_bench", "cus_1", "cust-1", "Customer", ["cust-1"], Currency.Usd, Now);
        var period = new BillingPeriod(2026, 11);
        _demand = new BillingDemand(customer, period, period.From, period.To, Currency.Usd, "pro@pln_1", []);
    }

    [Benchmark(Baseline = true, Description = "UsagePricing.Price, 20 rate cards")]
    public Money Price() => UsagePricing.Price(_plan, _usage).Total;

    [Benchmark(Description = "price + InvoiceDrafting.Draft")]
    public decimal PriceAndDraft() => InvoiceDrafting.Draft("inv_1", "run_1", _demand, Rate(), [], Now, Now).Total;

    private RatedPeriod Rate()
    {
        var (lines, total) = UsagePricing.Price(_plan, _usage);
        return new RatedPeriod(
            [.. lines.Select(l => new RatedPeriodLine(l.RateCardKey, string.Create(CultureInfo.InvariantCulture, $"{l.MeterSlug}: {l.Quantity} × {l.UnitPrice}"), l.RateCardKey, l.MeterSlug, l.MeterSlug, l.Quantity, l.UnitPrice, l.Amount.Amount, null))],
            total.Amount);
    }
}
