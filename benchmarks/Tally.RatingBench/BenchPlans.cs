namespace Tally.RatingBench;

/// <summary>The five price models the bench subscribes customers to, in turn (customer i gets <c>All[i % 5]</c>).</summary>
public enum PlanKind
{
    Unit,
    Graduated,
    Volume,
    Package,
    Flat,
}

/// <summary>
/// The bench's plans as the API takes them, and what each should bill, computed here from the
/// published prices alone (no Tally code): usage priced, rounded to cents half away from zero once,
/// grants credited as the price of the usage minus the price of what they leave.
/// </summary>
public static class BenchPlans
{
    public static readonly PlanKind[] All = [PlanKind.Unit, PlanKind.Graduated, PlanKind.Volume, PlanKind.Package, PlanKind.Flat];

    public static string Key(PlanKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The plan's phases JSON (one phase, never ending).</summary>
    public static string Phases(PlanKind kind)
    {
        var cards = kind switch
        {
            PlanKind.Unit => Usage("""{"type":"unit","amount":"0.0125"}"""),
            PlanKind.Graduated => Flat("10") + "," + Usage("""
                {"type":"tiered","mode":"graduated","tiers":[
                  {"upToAmount":"1000","unitPrice":{"type":"unit","amount":"0"}},
                  {"upToAmount":"5000","unitPrice":{"type":"unit","amount":"0.002"}},
                  {"unitPrice":{"type":"unit","amount":"0.001"}}]}
                """),
            PlanKind.Volume => Usage("""
                {"type":"tiered","mode":"volume","tiers":[
                  {"upToAmount":"1000","unitPrice":{"type":"unit","amount":"0.003"}},
                  {"upToAmount":"10000","flatPrice":{"type":"flat","amount":"1"},"unitPrice":{"type":"unit","amount":"0.002"}},
                  {"flatPrice":{"type":"flat","amount":"5"},"unitPrice":{"type":"unit","amount":"0.001"}}]}
                """),
            PlanKind.Package => Usage("""{"type":"package","amount":"0.5","quantityPerPackage":"100"}"""),
            _ => Flat("29"),
        };
        return $$"""[{"key":"default","name":"Default","duration":null,"rateCards":[{{cards}}]}]""";
    }

    /// <summary>Whether the plan prices usage (the flat plan's bill never depends on it).</summary>
    public static bool PricesUsage(PlanKind kind) => kind != PlanKind.Flat;

    /// <summary>The bill's total for <paramref name="usage"/> tokens this month with a grant of <paramref name="grant"/> tokens (0: none).</summary>
    public static decimal ExpectedTotal(PlanKind kind, decimal usage, decimal grant)
    {
        var fixedFee = kind switch
        {
            PlanKind.Graduated => 10m,
            PlanKind.Flat => 29m,
            _ => 0m,
        };
        if (!PricesUsage(kind))
        {
            return fixedFee;
        }

        var amount = Cents(Price(kind, usage));
        var credits = grant > 0m ? Math.Max(0m, amount - Cents(Price(kind, usage - Math.Min(usage, grant)))) : 0m;
        return fixedFee + amount - credits;
    }

    /// <summary>The unrounded price of <paramref name="q"/> tokens.</summary>
    public static decimal Price(PlanKind kind, decimal q) => kind switch
    {
        PlanKind.Unit => q * 0.0125m,
        PlanKind.Graduated => (Math.Clamp(q - 1000m, 0m, 4000m) * 0.002m) + (Math.Max(q - 5000m, 0m) * 0.001m),
        PlanKind.Volume => q <= 0m ? 0m : q <= 1000m ? q * 0.003m : q <= 10_000m ? 1m + (q * 0.002m) : 5m + (q * 0.001m),
        PlanKind.Package => Math.Ceiling(q / 100m) * 0.5m,
        _ => 0m,
    };

    private static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static string Usage(string price) =>
        $$"""{"type":"usage_based","key":"tokens","name":"Tokens","featureKey":"tokens","billingCadence":"P1M","price":{{price}}}""";

    private static string Flat(string amount) =>
        $$$"""{"type":"flat_fee","key":"base","name":"Base fee","billingCadence":"P1M","price":{"type":"flat","amount":"{{{amount}}}","paymentTerm":"in_advance"}}""";
}
