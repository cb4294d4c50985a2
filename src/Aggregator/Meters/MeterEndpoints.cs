using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ServiceDefaults;

namespace Tally.Aggregator.Meters;

/// <summary>OpenMeter's meter routes: create, list, get, update, delete, query (GET and POST, JSON or CSV), group-by values and subjects.</summary>
public static class MeterEndpoints
{
    public static IEndpointRouteBuilder MapMeters(this IEndpointRouteBuilder routes)
    {
        var meters = routes.MapGroup("/api/v1/meters").RequireAuthorization(TallyClaims.TenantPolicy);
        meters.MapPost("", CreateAsync);
        meters.MapGet("", async (HttpContext context, IMeterStore store) =>
            Results.Ok((await store.ListAsync(context.User.GetTenantId(), context.RequestAborted)).Select(MeterResponse.From)));
        meters.MapGet("/{meterIdOrSlug}", async (string meterIdOrSlug, HttpContext context, IMeterStore store) =>
            await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted) is { } meter
                ? Results.Ok(MeterResponse.From(meter))
                : Problems.NotFound("meter", meterIdOrSlug));
        meters.MapPut("/{meterIdOrSlug}", UpdateAsync);
        meters.MapDelete("/{meterIdOrSlug}", DeleteAsync);
        meters.MapGet("/{meterIdOrSlug}/query", (string meterIdOrSlug, HttpContext context, IMeterStore store, ICustomerStore customers, IMeterQueryReader reader) =>
        {
            var (request, errors) = MeterQueryParser.FromQueryString(context.Request.Query);
            return errors.Count > 0 ? Task.FromResult(Problems.Validation(errors)) : QueryAsync(meterIdOrSlug, request, context, store, customers, reader);
        });
        meters.MapPost("/{meterIdOrSlug}/query", async (string meterIdOrSlug, HttpContext context, IMeterStore store, ICustomerStore customers, IMeterQueryReader reader) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<MeterQueryRequest>(context.Request);
            return problem ?? await QueryAsync(meterIdOrSlug, request!, context, store, customers, reader);
        });
        meters.MapGet("/{meterIdOrSlug}/query/stream", StreamAsync);
        meters.MapGet("/{meterIdOrSlug}/group-by/{groupByKey}/values", GroupByValuesAsync);
        meters.MapGet("/{meterIdOrSlug}/subjects", SubjectsAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IMeterStore store, MeterChanges changes, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateMeterRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (meter, errors) = MeterValidation.Validate(context.User.GetTenantId(), request!, clock.GetUtcNow());
        if (meter is null)
        {
            return Problems.Validation(errors);
        }

        await store.CreateAsync(meter, context.RequestAborted);
        changes.Publish(meter.TenantId);
        return Results.Created($"/api/v1/meters/{meter.Slug}", MeterResponse.From(meter));
    }

    private static async Task<IResult> UpdateAsync(string meterIdOrSlug, HttpContext context, IMeterStore store, MeterChanges changes, TimeProvider clock)
    {
        var current = await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted);
        if (current is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (request, problem) = await JsonBody.ReadAsync<UpdateMeterRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (meter, errors) = MeterValidation.Update(current, request!, clock.GetUtcNow());
        if (meter is null)
        {
            return Problems.Validation(errors);
        }

        await store.UpdateAsync(meter, context.RequestAborted);
        changes.Publish(meter.TenantId);
        return Results.Ok(MeterResponse.From(meter));
    }

    private static async Task<IResult> DeleteAsync(string meterIdOrSlug, HttpContext context, IMeterStore store, IFeatureStore features, MeterChanges changes)
    {
        var tenantId = context.User.GetTenantId();
        var meter = await store.GetAsync(tenantId, meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        // A meter a feature measures cannot go: plans and entitlements on the feature (archived ones
        // included, which old subscriptions still bill) would silently count nothing for it.
        var measuring = (await features.ListAsync(tenantId, context.RequestAborted))
            .Where(feature => feature.MeterSlug == meter.Slug)
            .Select(feature => feature.Key)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (measuring.Count > 0)
        {
            return Problems.Conflict("meter", $"meter {meter.Slug} is measured by feature {string.Join(", ", measuring)}; plans and entitlements bill it through the feature, so it stays.");
        }

        await store.DeleteAsync(tenantId, meter.Id, context.RequestAborted);
        changes.Publish(tenantId);
        return Results.NoContent();
    }

    private static async Task<IResult> QueryAsync(string meterIdOrSlug, MeterQueryRequest request, HttpContext context, IMeterStore store, ICustomerStore customers, IMeterQueryReader reader)
    {
        var tenantId = context.User.GetTenantId();
        var meter = await store.GetAsync(tenantId, meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (query, problem) = await ResolveAsync(tenantId, meter, request, customers, context.RequestAborted);
        return problem ?? await AnswerAsync(meter, request, query!, context, reader);
    }

    /// <summary>The GET query's parameters kept live as server-sent events (<see cref="MeterQueryStream"/>).</summary>
    private static async Task<IResult> StreamAsync(string meterIdOrSlug, HttpContext context, IMeterStore store, ICustomerStore customers, IMeterQueryReader reader, MeterQueryStream stream)
    {
        var (request, errors) = MeterQueryParser.FromQueryString(context.Request.Query);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var tenantId = context.User.GetTenantId();
        var meter = await store.GetAsync(tenantId, meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (query, problem) = await ResolveAsync(tenantId, meter, request, customers, context.RequestAborted);
        return problem ?? await stream.RunAsync(context, request, query!, reader, recheck: null);
    }

    /// <summary>
    /// The query of <paramref name="request"/> on <paramref name="meter"/>, with the customers of
    /// <c>filterCustomerId</c> resolved in the tenant's ledger; or the problem that refuses it.
    /// </summary>
    internal static async Task<(MeterQuery? Query, IResult? Problem)> ResolveAsync(
        string tenantId, MeterDefinition meter, MeterQueryRequest request, ICustomerStore customers, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? customerBySubject = null;
        if (request.FilterCustomerId is { Count: > 0 } customerIds)
        {
            if (customerIds.Count > Limits.QuerySubjects || customerIds.Any(id => Limits.IdentifierProblem(id) is not null))
            {
                return (null, Problems.Validation("filterCustomerId", $"must name 1-{Limits.QuerySubjects} customers by id or key."));
            }

            customerBySubject = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var id in customerIds.Distinct(StringComparer.Ordinal))
            {
                var customer = await customers.GetAsync(tenantId, id, cancellationToken);
                if (customer is null)
                {
                    return (null, Problems.NotFound("customer", id));
                }

                foreach (var subject in customer.SubjectKeys)
                {
                    customerBySubject[subject] = customer.Id;
                }
            }
        }

        var (query, errors) = MeterQueryParser.Resolve(meter, request, customerBySubject);
        return query is null ? (null, Problems.Validation(errors)) : (query, null);
    }

    /// <summary>Runs <paramref name="query"/> and answers it as OpenMeter does: JSON, or CSV when the client accepts <c>text/csv</c>.</summary>
    internal static async Task<IResult> AnswerAsync(MeterDefinition meter, MeterQueryRequest request, MeterQuery query, HttpContext context, IMeterQueryReader reader)
    {
        var rows = await reader.QueryAsync(query, context.RequestAborted);
        if (WantsCsv(context.Request))
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename={meter.Slug}.csv";
            return Results.Text(MeterQueryCsv.Write(query, rows), "text/csv");
        }

        return Results.Ok(Response(request, query, rows));
    }

    /// <summary>OpenMeter's <c>MeterQueryResult</c> of <paramref name="rows"/>: from, to and windowSize echo the request.</summary>
    internal static MeterQueryResponse Response(MeterQueryRequest request, MeterQuery query, IReadOnlyList<MeterQueryRow> rows) => new(
        request.From?.UtcDateTime,
        request.To?.UtcDateTime,
        request.WindowSize is null ? null : query.WindowSize?.ToString().ToUpperInvariant(),
        [.. rows.Select(MeterQueryValue.From)]);

    private static async Task<IResult> GroupByValuesAsync(string meterIdOrSlug, string groupByKey, HttpContext context, IMeterStore store, IMeterQueryReader reader, TimeProvider clock)
    {
        var meter = await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (request, errors) = MeterQueryParser.FromQueryString(context.Request.Query);
        if (!meter.GroupBy.ContainsKey(groupByKey))
        {
            errors = [.. errors, new FieldError("groupByKey", $"is not a group of meter {meter.Slug}; use one of: {string.Join(", ", meter.GroupBy.Keys)}.")];
        }

        var to = request.To ?? clock.GetUtcNow();
        var from = request.From ?? to.AddDays(-1);
        if (errors.Count == 0 && (from >= to || to - from > TimeSpan.FromDays(32) || !Limits.IsStorable(from) || to > Limits.EndOfTime))
        {
            errors = [new FieldError("from", $"and to must span at most 32 days, from before to, {Limits.StorableRange}.")];
        }

        return errors.Count > 0
            ? Problems.Validation(errors)
            : Results.Ok(await reader.GroupByValuesAsync(meter, groupByKey, from, to, context.RequestAborted));
    }

    private static async Task<IResult> SubjectsAsync(string meterIdOrSlug, HttpContext context, IMeterStore store, IMeterQueryReader reader)
    {
        var meter = await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (request, errors) = MeterQueryParser.FromQueryString(context.Request.Query);
        return errors.Count > 0
            ? Problems.Validation(errors)
            : Results.Ok(await reader.SubjectsAsync(meter, request.From, request.To, context.RequestAborted));
    }

    private static bool WantsCsv(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(type => type.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
}
