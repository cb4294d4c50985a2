using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Meters;
using Tally.Billing.Tenants;
using Tally.Billing.Usage;
using Tally.ServiceDefaults;

namespace Tally.Aggregator.Reconciliation;

/// <summary>
/// <c>GET /api/admin/usage/reconciliation?tenantId=&amp;from=&amp;to=[&amp;rollUp=true]</c> (admin token): for
/// every meter of the tenant, each hour where the pre-aggregated usage and the stored events disagree
/// or the roll-up is behind. <c>rollUp=true</c> first rolls up what is pending in the range, as a
/// period close does before it trusts the numbers; <c>clean</c> is true when nothing differs.
/// </summary>
public static class ReconciliationEndpoints
{
    public static IEndpointRouteBuilder MapReconciliation(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/admin/usage/reconciliation", ReconcileAsync).RequireAuthorization(TallyClaims.AdminPolicy);
        return routes;
    }

    private static async Task<IResult> ReconcileAsync(HttpContext context, ITenantStore tenants, IMeterStore meters, IUsageRollups rollups)
    {
        var query = context.Request.Query;
        var tenantId = query["tenantId"].FirstOrDefault();
        var errors = new List<FieldError>();
        var from = Instant(query["from"].FirstOrDefault(), "from", errors);
        var to = Instant(query["to"].FirstOrDefault(), "to", errors);
        if (string.IsNullOrEmpty(tenantId) || Limits.IdentifierProblem(tenantId) is not null)
        {
            errors.Add(new FieldError("tenantId", "is required: the id of the tenant to reconcile."));
        }

        if (errors.Count == 0 && (from >= to || to - from > TimeSpan.FromDays(93)))
        {
            errors.Add(new FieldError("from", "must be before to, at most 93 days apart."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await tenants.GetAsync(tenantId!, context.RequestAborted) is null)
        {
            return Problems.NotFound("tenant", tenantId!);
        }

        var rollUp = bool.TryParse(query["rollUp"].FirstOrDefault(), out var asked) && asked;
        var report = new List<MeterReconciliation>();
        foreach (var meter in await meters.ListAsync(tenantId!, context.RequestAborted))
        {
            if (rollUp)
            {
                foreach (var hour in await rollups.PendingAsync(meter, to!.Value, int.MaxValue, context.RequestAborted))
                {
                    if (hour.Hour >= from)
                    {
                        await rollups.RollUpAsync(meter, hour, context.RequestAborted);
                    }
                }
            }

            var differences = await rollups.ReconcileAsync(meter, from!.Value, to!.Value, context.RequestAborted);
            report.Add(new MeterReconciliation(meter.Slug, [.. differences.Select(d => new HourDifferenceResponse(d.Hour.UtcDateTime, d.RolledUp, d.Events, d.RolledUpEvents, d.EventCount, d.Pending))]));
        }

        return Results.Ok(new ReconciliationResponse(tenantId!, from!.Value.UtcDateTime, to!.Value.UtcDateTime, report.All(m => m.Differences.Count == 0), report));
    }

    private static DateTimeOffset? Instant(string? text, string name, List<FieldError> errors)
    {
        if (text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && Limits.IsStorable(instant))
        {
            return instant.ToUniversalTime();
        }

        errors.Add(new FieldError(name, $"is required: an RFC 3339 timestamp {Limits.StorableRange}."));
        return null;
    }
}

public sealed record ReconciliationResponse(string TenantId, DateTime From, DateTime To, bool Clean, IReadOnlyList<MeterReconciliation> Meters);

public sealed record MeterReconciliation(string Slug, IReadOnlyList<HourDifferenceResponse> Differences);

public sealed record HourDifferenceResponse(DateTime Hour, decimal? RolledUp, decimal? Events, long RolledUpEvents, long EventCount, bool Pending);
