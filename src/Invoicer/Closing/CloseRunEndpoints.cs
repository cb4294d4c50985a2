using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Tenants;
using Tally.ServiceDefaults;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Close runs as a resource: start one (202; the workers do it), follow its progress, tasks and
/// history, retry a parked customer. The admin route starts a period for every tenant, each on its own:
/// one tenant's refusal is reported beside the others' runs, never in their way.
/// </summary>
public static class CloseRunEndpoints
{
    public static IEndpointRouteBuilder MapCloseRuns(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/billing/close-runs").RequireAuthorization(TallyClaims.TenantPolicy);
        tenant.MapPost("", async (HttpContext context, CloseRuns starter) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<StartCloseRunRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (Validate(request!) is { } invalid)
            {
                return invalid;
            }

            try
            {
                var run = await Start(starter, context.User.GetTenantId(), request!, context.User.Identity?.Name ?? "api", context.RequestAborted);
                return Results.Accepted($"/api/v1/billing/close-runs/{run.Id}", CloseRunResponse.From(run));
            }
            catch (CloseRefusedException refused)
            {
                return Problems.Conflict(refused.Field, refused.Message);
            }
        });
        tenant.MapGet("", async (HttpContext context, ICloseRunStore runs, string? period) =>
        {
            BillingPeriod? filter = null;
            if (period is not null)
            {
                if (!BillingPeriod.TryParse(period, out var parsed))
                {
                    return PeriodProblem(period);
                }

                filter = parsed;
            }

            var list = await runs.ListAsync(context.User.GetTenantId(), filter, context.RequestAborted);
            return Results.Ok(new Paginated<CloseRunResponse>(list.Count, 1, list.Count, [.. list.Select(CloseRunResponse.From)]));
        });
        tenant.MapGet("/{runId}", async (string runId, HttpContext context, ICloseRunStore runs) =>
            await runs.GetAsync(context.User.GetTenantId(), runId, context.RequestAborted) is { } run
                ? Results.Ok(CloseRunResponse.From(run))
                : Problems.NotFound("close run", runId));
        tenant.MapGet("/{runId}/tasks", async (string runId, HttpContext context, ICloseRunStore runs) =>
        {
            var tenantId = context.User.GetTenantId();
            return await runs.GetAsync(tenantId, runId, context.RequestAborted) is null
                ? Problems.NotFound("close run", runId)
                : Results.Ok((await runs.TasksAsync(tenantId, runId, context.RequestAborted)).Select(CloseTaskResponse.From));
        });
        tenant.MapGet("/{runId}/history", async (string runId, string? customerId, HttpContext context, ICloseRunStore runs) =>
        {
            var tenantId = context.User.GetTenantId();
            return await runs.GetAsync(tenantId, runId, context.RequestAborted) is null
                ? Problems.NotFound("close run", runId)
                : Results.Ok((await runs.HistoryAsync(tenantId, runId, customerId, context.RequestAborted)).Select(CloseHistoryResponse.From));
        });
        tenant.MapPost("/{runId}/customers/{customerId}/retry", async (string runId, string customerId, HttpContext context, ICloseRunStore runs, TimeProvider clock) =>
        {
            var tenantId = context.User.GetTenantId();
            var task = await runs.SignalAsync(tenantId, runId, customerId, CloseSignal.Retry, context.User.Identity?.Name ?? tenantId, clock.GetUtcNow(), context.RequestAborted);
            return task is null
                ? Problems.Conflict("customerId", $"customer {customerId} has no parked task in run {runId}.")
                : Results.Ok(CloseTaskResponse.From(task));
        });

        var admin = routes.MapGroup("/api/admin/close-runs").RequireAuthorization(TallyClaims.AdminPolicy);
        admin.MapPost("", async (HttpContext context, CloseRuns starter, ITenantStore tenants) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<StartCloseRunRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (Validate(request!) is { } invalid)
            {
                return invalid;
            }

            IReadOnlyList<string> tenantIds;
            if (request!.TenantId is null)
            {
                tenantIds = [.. (await tenants.ListAsync(context.RequestAborted)).Select(t => t.Id)];
            }
            else if (await tenants.GetAsync(request.TenantId, context.RequestAborted) is null)
            {
                return Problems.NotFound("tenant", request.TenantId);
            }
            else
            {
                tenantIds = [request.TenantId];
            }

            var started = new List<CloseRunResponse>();
            var refused = new List<object>();
            foreach (var tenantId in tenantIds)
            {
                try
                {
                    started.Add(CloseRunResponse.From(await Start(starter, tenantId, request, "admin", context.RequestAborted)));
                }
                catch (Exception error) when (error is CloseRefusedException or LedgerConflictException)
                {
                    refused.Add(new { tenantId, error = error.Message });
                }
            }

            return Results.Ok(new { runs = started, refused });
        });
        admin.MapGet("/{tenantId}/{runId}", async (string tenantId, string runId, HttpContext context, ICloseRunStore runs) =>
            await runs.GetAsync(tenantId, runId, context.RequestAborted) is { } run
                ? Results.Ok(CloseRunResponse.From(run))
                : Problems.NotFound("close run", runId));
        admin.MapGet("/{tenantId}/{runId}/tasks", async (string tenantId, string runId, HttpContext context, ICloseRunStore runs) =>
            Results.Ok((await runs.TasksAsync(tenantId, runId, context.RequestAborted)).Select(CloseTaskResponse.From)));
        return routes;
    }

    private static Task<CloseRun> Start(CloseRuns starter, string tenantId, StartCloseRunRequest request, string by, CancellationToken cancellationToken)
    {
        BillingPeriod.TryParse(request.Period, out var period);
        var kind = request.Kind?.ToLowerInvariant() == "rerun" ? CloseRunKind.Rerun : CloseRunKind.Close;
        return starter.StartAsync(tenantId, period, kind, request.DryRun, request.CustomerId, by, cancellationToken);
    }

    private static IResult? Validate(StartCloseRunRequest request)
    {
        if (!BillingPeriod.TryParse(request.Period, out _))
        {
            return PeriodProblem(request.Period);
        }

        if (request.Kind is not (null or "close" or "rerun"))
        {
            return Problems.Validation("kind", $"is '{request.Kind}'; use close (the period's invoices) or rerun (corrections of a closed period).");
        }

        return request.CustomerId is { } customer && Limits.IdentifierProblem(customer) is { } customerProblem
            ? Problems.Validation("customerId", customerProblem)
            : null;
    }

    private static IResult PeriodProblem(string? period) =>
        Problems.Validation("period", $"is '{period}'; give a month as yyyy-MM between {Limits.FirstPeriodYear}-01 and {Limits.LastPeriodYear}-12, such as 2026-11.");
}
