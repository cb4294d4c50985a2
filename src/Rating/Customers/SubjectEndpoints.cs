using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Rating.Live;
using Tally.ServiceDefaults;

namespace Tally.Rating.Customers;

/// <summary>
/// OpenMeter's subjects (<c>/api/v1/subjects</c>) over Tally's customers: a subject is one of a
/// customer's subject keys. Upserting an unknown subject creates a customer for it (key and only
/// subject = the subject key); deleting one takes it off its customer.
/// </summary>
public static class SubjectEndpoints
{
    public static IEndpointRouteBuilder MapSubjects(this IEndpointRouteBuilder routes)
    {
        var subjects = routes.MapGroup("/api/v1/subjects").RequireAuthorization(TallyClaims.TenantPolicy);
        subjects.MapPost("", UpsertAsync);
        subjects.MapGet("", async (HttpContext context, ICustomerStore store) =>
            RatingJson.Ok((await store.ListAsync(context.User.GetTenantId(), context.RequestAborted))
                .SelectMany(customer => customer.SubjectKeys.Select(key => SubjectResponse.From(key, customer)))
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .ToList()));
        subjects.MapGet("/{subjectIdOrKey}", async (string subjectIdOrKey, HttpContext context, ICustomerStore store) =>
            await FindAsync(store, context.User.GetTenantId(), subjectIdOrKey, context.RequestAborted) is { } customer
                ? RatingJson.Ok(SubjectResponse.From(subjectIdOrKey, customer))
                : Problems.NotFound("subject", subjectIdOrKey));
        subjects.MapDelete("/{subjectIdOrKey}", DeleteAsync);
        return routes;
    }

    /// <summary>The customer a subject key is attributed to, or null.</summary>
    internal static async Task<Customer?> FindAsync(ICustomerStore store, string tenantId, string subject, CancellationToken cancellationToken) =>
        (await store.CustomerIdsBySubjectAsync(tenantId, [subject], cancellationToken)).TryGetValue(subject, out var customerId)
            ? await store.GetAsync(tenantId, customerId, cancellationToken)
            : null;

    private static async Task<IResult> UpsertAsync(HttpContext context, ICustomerStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = body.Errors;
        var fields = body.Fields;
        if (body.Root.ValueKind != JsonValueKind.Array || body.Root.GetArrayLength() > Limits.SubjectKeys)
        {
            return Problems.Validation("body", $"must be an array of up to {Limits.SubjectKeys} subjects such as [{{\"key\": \"customer-1\", \"displayName\": \"Customer 1\"}}].");
        }

        var wanted = new List<(string Key, string? DisplayName)>();
        var index = 0;
        foreach (var item in body.Root.EnumerateArray())
        {
            var key = fields.Text(item, "key", $"[{index}]", required: true, maxLength: Limits.Identifier);
            var display = fields.Text(item, "displayName", $"[{index}]", required: false);
            if (key is not null)
            {
                wanted.Add((key, display));
            }

            index++;
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var tenantId = context.User.GetTenantId();
        var answer = new List<SubjectResponse>();
        foreach (var (key, display) in wanted)
        {
            var customer = await FindAsync(store, tenantId, key, context.RequestAborted);
            if (customer is null)
            {
                var now = clock.GetUtcNow();
                customer = new Customer(tenantId, Ids.NewUlid(now), key, display ?? key, [key], null, now);
                await store.CreateAsync(customer, context.RequestAborted);
            }

            answer.Add(SubjectResponse.From(key, customer));
        }

        return RatingJson.Ok(answer);
    }

    private static async Task<IResult> DeleteAsync(string subjectIdOrKey, HttpContext context, ICustomerStore store, IGrainFactory grains, CustomerLookupCache lookups, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await FindAsync(store, tenantId, subjectIdOrKey, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("subject", subjectIdOrKey);
        }

        await store.UpdateAsync(customer with { SubjectKeys = [.. customer.SubjectKeys.Where(s => s != subjectIdOrKey)], UpdatedAt = clock.GetUtcNow() }, context.RequestAborted);
        lookups.Forget(customer);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customer.Id)).RefreshAsync();
        return Results.NoContent();
    }
}

/// <summary>OpenMeter's <c>Subject</c>: the subject key, named after its customer.</summary>
public sealed record SubjectResponse(string Id, string Key, string? DisplayName, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static SubjectResponse From(string key, Customer customer) => new(key, key, customer.Name, customer.CreatedAt.UtcDateTime, customer.UpdatedAt.UtcDateTime);
}
