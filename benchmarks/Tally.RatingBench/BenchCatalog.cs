using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Tally.RatingBench;

/// <summary>One bench customer: key <c>c{i}</c>, subject <c>s{i}</c>, its plan, and its grant of tokens (0: no entitlement).</summary>
public sealed record BenchCustomer(int Index, string Id, string Key, string Subject, PlanKind Plan, decimal Grant);

/// <summary>
/// Sets up a tenant's catalog over the API: the <c>tokens</c> feature, the five plans, and N customers,
/// each subscribed since the previous month to plan <c>i % 5</c>; every customer with <c>i % 10</c> 0 or 1
/// (half the unit and half the graduated ones) also gets a metered entitlement to <c>tokens</c>, whose usage
/// period is the calendar month, with one grant effective from the month's start.
/// </summary>
public static class BenchCatalog
{
    public static async Task<IReadOnlyList<BenchCustomer>> CreateAsync(TallyApi api, string apiKey, int count, int concurrency, CancellationToken cancellationToken)
    {
        await api.CreateTokensFeatureAsync(apiKey, cancellationToken);
        foreach (var kind in BenchPlans.All)
        {
            await api.PublishPlanAsync(apiKey, kind, cancellationToken);
        }

        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var since = Iso(monthStart.AddMonths(-1));
        var customers = new BenchCustomer[count];
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var key = $"c{i}";
            var subject = $"s{i}";
            var plan = BenchPlans.All[i % BenchPlans.All.Length];
            var grant = i % 10 is 0 or 1 ? 1000m + (i % 7 * 500m) : 0m;
            var created = await api.SendAsync(HttpMethod.Post, "/api/v1/customers", apiKey,
                $$$"""{"key":"{{{key}}}","name":"Customer {{{i}}}","currency":"USD","usageAttribution":{"subjectKeys":["{{{subject}}}"]}}""", HttpStatusCode.Created, ct);
            await api.SendAsync(HttpMethod.Post, "/api/v1/subscriptions", apiKey,
                $$"""{"customerKey":"{{key}}","plan":{"key":"{{BenchPlans.Key(plan)}}"},"timing":"{{since}}"}""", HttpStatusCode.Created, ct);
            if (grant > 0m)
            {
                await api.SendAsync(HttpMethod.Post, $"/api/v2/customers/{key}/entitlements", apiKey, string.Create(CultureInfo.InvariantCulture,
                    $$$"""{"type":"metered","featureKey":"tokens","usagePeriod":{"interval":"MONTH","anchor":"{{{Iso(monthStart)}}}"},"grants":[{"amount":{{{grant}}},"priority":1,"effectiveAt":"{{{Iso(monthStart)}}}","expiration":{"duration":"YEAR","count":1}}]}"""),
                    HttpStatusCode.Created, ct);
            }

            customers[i] = new BenchCustomer(i, created.GetProperty("id").GetString()!, key, subject, plan, grant);
            if (Interlocked.Increment(ref done) % 10_000 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  catalog: {done:N0} customers ({done / Stopwatch.GetElapsedTime(started).TotalSeconds:N0}/s)"));
            }
        });
        return customers;
    }

    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
