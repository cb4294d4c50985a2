using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.Billing.Entitlements;
using Tally.Rating.Subscriptions;
using Tally.ServiceDefaults;

namespace Tally.Rating.Entitlements;

/// <summary>OpenMeter's <c>WindowedBalanceHistory</c> of a metered entitlement, from the usage store.</summary>
internal static class EntitlementHistoryEndpoint
{
    public static async Task<IResult> HistoryAsync(string owner, string reference, HttpContext context, CustomerEntitlementEndpoints.Deps deps, bool bySubject)
    {
        var (customer, entitlement, missing) = await CustomerEntitlementEndpoints.FindAsync(owner, reference, context, deps, bySubject);
        if (missing is not null)
        {
            return missing;
        }

        if (entitlement!.Type != EntitlementType.Metered)
        {
            return Problems.Validation("entitlement", "only a metered entitlement has a balance history.");
        }

        var query = context.Request.Query;
        var now = deps.Clock.GetUtcNow();
        TimeSpan? size = query["windowSize"].ToString() switch
        {
            "MINUTE" => TimeSpan.FromMinutes(1),
            "HOUR" => TimeSpan.FromHours(1),
            "DAY" => TimeSpan.FromDays(1),
            "MONTH" => TimeSpan.Zero,
            _ => null,
        };
        if (size is null)
        {
            return Problems.Validation("windowSize", $"is '{query["windowSize"]}'; use MINUTE, HOUR, DAY or MONTH.");
        }

        var from = Instant(query["from"]) ?? entitlement.CurrentUsagePeriod(now)?.From ?? entitlement.UsageStart;
        var to = Instant(query["to"]) ?? now;
        if (from >= to)
        {
            return Problems.Validation("from", $"is {from.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}, not before to ({to.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}).");
        }

        var windows = new List<(DateTimeOffset From, DateTimeOffset To)>();
        for (var start = Align(from, size.Value); start < to && windows.Count <= EntitlementHistory.MaxWindows; start = Next(start, size.Value))
        {
            windows.Add((start < from ? from : start, Next(start, size.Value) > to ? to : Next(start, size.Value)));
        }

        if (windows.Count > EntitlementHistory.MaxWindows)
        {
            return Problems.Validation("windowSize", $"cuts [from, to) into more than {EntitlementHistory.MaxWindows} windows; use a larger window or a shorter range.");
        }

        var result = await deps.History.BurnDownAsync(customer!.TenantId, entitlement, from, to, [.. windows.Select(w => w.From)], context.RequestAborted);
        if (result is not { } found)
        {
            return Problems.NotFound("entitlement", reference);
        }

        var segments = found.BurnDown.Segments.Where(s => s.To > from).ToList();
        return RatingJson.Ok(new
        {
            windowedHistory = windows.Select(w =>
            {
                var inside = segments.Where(s => s.From >= w.From && s.From < w.To).ToList();
                return new { period = new PeriodResponse(w.From.UtcDateTime, w.To.UtcDateTime), usage = inside.Sum(s => s.Usage), balanceAtStart = inside.FirstOrDefault()?.BalanceAtStart ?? 0m };
            }).ToList(),
            burndownHistory = segments.Select(s => new
            {
                period = new PeriodResponse(s.From.UtcDateTime, s.To.UtcDateTime),
                usage = s.Usage,
                overage = s.Overage,
                balanceAtStart = s.BalanceAtStart,
                balanceAtEnd = s.BalanceAtEnd,
                grantUsages = s.ByGrant.Select(g => new { grantId = g.Key, usage = g.Value }).ToList(),
            }).ToList(),
        });
    }

    private static DateTimeOffset? Instant(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) && Limits.IsStorable(at) ? at : null;

    private static DateTimeOffset Align(DateTimeOffset instant, TimeSpan size) => size == TimeSpan.Zero
        ? BillingPeriod.Containing(instant).From
        : new DateTimeOffset(instant.UtcTicks - (instant.UtcTicks % size.Ticks), TimeSpan.Zero);

    private static DateTimeOffset Next(DateTimeOffset start, TimeSpan size) => size == TimeSpan.Zero ? start.AddMonths(1) : start + size;
}
