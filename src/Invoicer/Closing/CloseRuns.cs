using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;

namespace Tally.Invoicer.Closing;

/// <summary>Starts close runs: by hand (API, CLI) or by the scheduler. The workers do the rest.</summary>
public sealed class CloseRuns(ICloseRunStore runs, ICustomerStore customers, IOptions<CloseOptions> options, TimeProvider clock, ILogger<CloseRuns> logger)
{
    /// <summary>The code the runs pin: the informational version of the build that started them.</summary>
    public static string CodeVersion { get; } =
        typeof(CloseRuns).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// Starts a run of <paramref name="period"/> for the tenant (or one customer). A close starts once the
    /// period has ended; a re-run needs the period closed before. Conflict on <c>period</c> when the tenant
    /// already has a (not dry) run closing the whole period.
    /// </summary>
    /// <exception cref="CloseRefusedException">The run cannot start; the message says why and which field.</exception>
    public async Task<CloseRun> StartAsync(string tenantId, BillingPeriod period, CloseRunKind kind, bool dryRun, string? customerIdOrKey, string requestedBy, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < period.To)
        {
            throw new CloseRefusedException("period", $"Period {period} ends at {period.To:yyyy-MM-ddTHH:mm:ssZ}; it can be closed after that.");
        }

        if (kind == CloseRunKind.Rerun && !(await runs.ClosedPeriodsAsync(cancellationToken)).Contains((tenantId, period)))
        {
            throw new CloseRefusedException("period", $"Period {period} has not been closed; close it before re-running it.");
        }

        IReadOnlyList<string> customerIds;
        string? customerId = null;
        if (customerIdOrKey is not null)
        {
            var customer = await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken)
                ?? throw new CloseRefusedException("customerId", $"'{customerIdOrKey}' is not one of your customers.");
            customerIds = [customerId = customer.Id];
        }
        else
        {
            customerIds = [.. (await customers.ListAsync(tenantId, cancellationToken)).Select(c => c.Id)];
        }

        var run = new CloseRun(tenantId, Ids.New("run"), period, kind, dryRun, customerId, requestedBy, CodeVersion, now);
        await runs.CreateAsync(run, customerIds, now, cancellationToken);
        InvoicerLog.RunStarted(logger, tenantId, run.Id, period.ToString(), customerIds.Count, kind.ToString(), dryRun ? ", dry run" : "");
        return await runs.GetAsync(tenantId, run.Id, cancellationToken) ?? run;
    }

    /// <summary>The periods whose close is due for a tenant created at <paramref name="tenantCreatedAt"/>: ended plus grace, not closed yet, oldest first.</summary>
    public IEnumerable<BillingPeriod> DuePeriods(DateTimeOffset tenantCreatedAt, IReadOnlySet<BillingPeriod> closed)
    {
        var now = clock.GetUtcNow();
        var period = BillingPeriod.Containing(tenantCreatedAt);
        while (period.To + options.Value.Grace <= now)
        {
            if (!closed.Contains(period))
            {
                yield return period;
            }

            period = BillingPeriod.Containing(period.To);
        }
    }
}

/// <summary>A close run that cannot start; <see cref="Field"/> is the request field to fix.</summary>
public sealed class CloseRefusedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
