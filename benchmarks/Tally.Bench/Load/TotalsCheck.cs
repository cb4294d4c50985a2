using System.Collections.Concurrent;
using System.Globalization;
using Tally.Bench.Generation;

namespace Tally.Bench.Load;

/// <summary>
/// Compares every meter of every tenant, as the OpenMeter query API answers it (no window, no grouping: one
/// row), with the generator's exact expectation; AVG within 1e-9 (ClickHouse cuts the quotient at nine
/// decimals). Returns one line per difference: a loss, a double count or a wrong aggregate.
/// </summary>
public static class TotalsCheck
{
    public static async Task<(int Checked, IReadOnlyList<string> Mismatches)> RunAsync(
        TallyAdminClient admin, BenchTenants tenants, ExpectedTotals expected, long probes, CancellationToken cancellationToken)
    {
        var mismatches = new ConcurrentBag<string>();
        var pairs = Enumerable.Range(0, tenants.ApiKeys.Count).SelectMany(t => BenchMeters.All.Select(m => (Tenant: t, Meter: m))).ToList();
        await Parallel.ForEachAsync(pairs, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (pair, ct) =>
        {
            var rows = await admin.ValuesAsync(tenants.ApiKeys[pair.Tenant], pair.Meter.Slug, ct);
            var want = expected.Value(pair.Tenant, pair.Meter);
            if (Differs(pair.Meter, rows, want))
            {
                mismatches.Add(string.Create(CultureInfo.InvariantCulture,
                    $"tenant {pair.Tenant} ({tenants.Ids[pair.Tenant]}) meter {pair.Meter.Slug} ({pair.Meter.Aggregation}): expected {(want is null ? "no row" : want.Value)}, got {(rows.Count == 0 ? "no row" : string.Join(", ", rows))}"));
            }
        });

        var probed = await admin.TotalAsync(tenants.ProbeApiKey, FreshnessProbe.MeterSlug, cancellationToken);
        if (probed != probes)
        {
            mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"freshness probe tenant: expected {probes} events, got {probed}"));
        }

        return (pairs.Count + 1, [.. mismatches.Order(StringComparer.Ordinal)]);
    }

    /// <summary>True when the query's rows do not show <paramref name="expected"/> (null: the meter measured nothing, so no row).</summary>
    public static bool Differs(BenchMeter meter, IReadOnlyList<decimal> rows, decimal? expected)
    {
        if (expected is not { } want)
        {
            return rows.Count != 0;
        }

        if (rows.Count != 1)
        {
            return true;
        }

        return meter.Aggregation == "AVG" ? Math.Abs(rows[0] - want) > 0.000000001m : rows[0] != want;
    }
}
