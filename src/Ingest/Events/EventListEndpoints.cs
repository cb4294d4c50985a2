using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Events;
using Tally.Billing.Meters;
using Tally.ServiceDefaults;

namespace Tally.Ingest.Events;

/// <summary>
/// OpenMeter's <c>GET /api/v1/events</c>: the tenant's stored and rejected events, newest first, each
/// with the reasons it counts in no meter (judged now against the current meters, as OpenMeter does,
/// plus why the aggregator rejected it, e.g. a conflicting duplicate).
/// </summary>
public static class EventListEndpoints
{
    public const int MaxLimit = 100;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(32);

    public static IEndpointRouteBuilder MapEventList(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/events", ListAsync).RequireAuthorization(TallyClaims.TenantPolicy);
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IEventStore store, IMeterStore meters, ICustomerStore customers, TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var query = context.Request.Query;
        var errors = new List<FieldError>();
        var from = Instant(query, "from", errors);
        var to = Instant(query, "to", errors);
        var ingestedFrom = Instant(query, "ingestedAtFrom", errors);
        var ingestedTo = Instant(query, "ingestedAtTo", errors);
        var storedFrom = Instant(query, "storedAtFrom", errors);
        var storedTo = Instant(query, "storedAtTo", errors);
        var limit = MaxLimit;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add(new FieldError("limit", $"is '{limitText}'; use a whole number from 1 to {MaxLimit}."));
        }

        var id = query["id"].FirstOrDefault();
        if (id is not null && Limits.IdentifierProblem(id) is { } idProblem)
        {
            errors.Add(new FieldError("id", idProblem));
        }

        var subjects = query["subject"].OfType<string>().ToList();
        if (subjects.Select(subject => Limits.IdentifierProblem(subject)).FirstOrDefault(problem => problem is not null) is { } subjectProblem)
        {
            errors.Add(new FieldError("subject", subjectProblem));
        }

        var customerIds = query["customerId"].OfType<string>().ToList();
        if (customerIds.Count > Limits.QuerySubjects || customerIds.Any(c => Limits.IdentifierProblem(c) is not null))
        {
            errors.Add(new FieldError("customerId", $"must name 1-{Limits.QuerySubjects} customers by id or key."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        foreach (var customerId in customerIds)
        {
            var customer = await customers.GetAsync(tenantId, customerId, context.RequestAborted);
            if (customer is null)
            {
                return Problems.Validation("customerId", $"'{customerId}' is not one of your customers.");
            }

            subjects.AddRange(customer.SubjectKeys);
        }

        var listed = await store.ListAsync(
            new EventListQuery(tenantId, from ?? (to ?? clock.GetUtcNow()) - DefaultWindow, to, ingestedFrom, ingestedTo, id, subjects, limit) { StoredAfter = storedFrom, StoredUntil = storedTo },
            context.RequestAborted);
        var catalog = new MeterCatalog(await meters.ListAsync(tenantId, context.RequestAborted));
        var owners = await customers.CustomerIdsBySubjectAsync(tenantId, listed.Select(e => e.Event.Subject).Distinct(StringComparer.Ordinal).ToList(), context.RequestAborted);
        return Results.Ok(listed.Select(e => IngestedEventResponse.From(e, catalog, owners)));
    }

    private static DateTimeOffset? Instant(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text) || string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && Limits.IsStorable(instant))
        {
            return instant.ToUniversalTime();
        }

        errors.Add(new FieldError(name, $"must be an RFC 3339 timestamp {Limits.StorableRange}."));
        return null;
    }
}

/// <summary>OpenMeter's <c>IngestedEvent</c>.</summary>
public sealed record IngestedEventResponse(
    CloudEventResponse Event,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CustomerId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ValidationError,
    DateTime IngestedAt,
    DateTime StoredAt)
{
    public static IngestedEventResponse From(ListedEvent listed, MeterCatalog catalog, IReadOnlyDictionary<string, string> owners)
    {
        var stored = listed.Event;
        var data = stored.Data.Length == 0 ? (JsonElement?)null : JsonDocument.Parse(stored.Data).RootElement.Clone();
        var problems = new List<string>();
        if (listed.Rejection is { } rejection)
        {
            problems.Add(rejection);
        }
        else
        {
            var measuring = catalog.For(stored.Identity.TenantId, stored.Type);
            if (measuring.Count == 0)
            {
                problems.Add($"no meter found for event type: {stored.Type}");
            }

            foreach (var meter in measuring)
            {
                if (!meter.TryMeasure(data ?? default, stored.Time, out _, out var error) && error is not null)
                {
                    problems.Add($"meter {meter.Definition.Slug}: {error}");
                }
            }

            if (!owners.ContainsKey(stored.Subject))
            {
                problems.Add($"no customer found for event subject: {stored.Subject}");
            }
        }

        return new IngestedEventResponse(
            new CloudEventResponse(
                "1.0",
                stored.Identity.Id,
                stored.Identity.Source,
                stored.Type,
                stored.Subject,
                stored.Time.UtcDateTime,
                data is null ? null : "application/json",
                data),
            owners.GetValueOrDefault(stored.Subject),
            problems.Count == 0 ? null : string.Join('\n', problems),
            stored.IngestedAt.UtcDateTime,
            listed.StoredAt.UtcDateTime);
    }
}

/// <summary>A CloudEvent as OpenMeter lists it.</summary>
public sealed record CloudEventResponse(
    string Specversion,
    string Id,
    string Source,
    string Type,
    string Subject,
    DateTime Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Datacontenttype,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Data);
