using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Notifications;
using Tally.Billing.Tenants;
using Tally.Invoicer.Invoices;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Billing events as OpenMeter notifications: each event becomes one notification event per enabled rule of
/// the tenant of the matching type, with a pending delivery to each of the rule's channels, which rating's
/// webhook dispatcher sends (signed, retried, listed with their status).
/// <list type="bullet">
/// <item><c>invoice.issued</c> → <c>invoice.created</c>, or <c>invoice.updated</c> when the draft had waited for approval and was announced then;</item>
/// <item><c>invoice.approval_required</c> → <c>invoice.created</c> (a draft, as OpenMeter's invoices begin);</item>
/// <item><c>invoice.voided</c> → <c>invoice.updated</c>;</item>
/// <item><c>close.customer_parked</c> → Tally's own <c>close.customer_parked</c> (the close's failure callback).</item>
/// </list>
/// The dedupe key is <c>{rule}/{billing event id}</c>, so a batch published again (a crash before it was
/// marked published, two dispatchers racing) notifies once. An invoice is shown as it was when the event
/// happened, whatever happened to it since, so a payload never depends on when the dispatcher ran.
/// </summary>
public sealed class BillingEventNotifications(INotificationStore notifications, IInvoiceStore invoices, ICustomerStore customers, ITenantStore tenants, ICloseRunStore runs) : IBillingEventSink
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task PublishAsync(IReadOnlyList<BillingEventRecord> events, CancellationToken cancellationToken)
    {
        foreach (var tenantEvents in events.GroupBy(e => e.TenantId))
        {
            var rules = (await notifications.ListRulesAsync(tenantEvents.Key, cancellationToken))
                .Where(r => r.DeletedAt is null && !r.Disabled && NotificationRule.BillingTypes.Contains(r.Type))
                .ToList();
            if (rules.Count == 0)
            {
                continue;
            }

            foreach (var billingEvent in tenantEvents)
            {
                var type = NotificationType(billingEvent);
                var matching = rules.Where(r => r.Type == type).ToList();
                if (matching.Count == 0)
                {
                    continue;
                }

                var (data, customer) = await DataAsync(billingEvent, cancellationToken);
                if (data is null)
                {
                    continue;
                }

                foreach (var rule in matching)
                {
                    var id = Ids.NewUlid(billingEvent.CreatedAt);
                    var payload = JsonSerializer.Serialize(new { id, type, timestamp = billingEvent.CreatedAt.UtcDateTime, data }, Json);
                    var notification = new NotificationEvent(billingEvent.TenantId, id, rule.Id, type!, payload, $"{rule.Id}/{billingEvent.Id}", billingEvent.CreatedAt)
                    {
                        SubjectKey = customer?.SubjectKeys.FirstOrDefault(),
                    };
                    await notifications.CreateEventAsync(notification, rule.ChannelIds, billingEvent.CreatedAt, cancellationToken);
                }
            }
        }
    }

    /// <summary>The notification type a billing event is delivered as; null for events no rule type covers.</summary>
    public static string? NotificationType(BillingEventRecord billingEvent) => billingEvent.Type switch
    {
        "invoice.issued" => Field(billingEvent, "heldForApproval") is { ValueKind: JsonValueKind.True } ? NotificationRule.InvoiceUpdatedType : NotificationRule.InvoiceCreatedType,
        "invoice.approval_required" => NotificationRule.InvoiceCreatedType,
        "invoice.voided" => NotificationRule.InvoiceUpdatedType,
        "close.customer_parked" => NotificationRule.CustomerParkedType,
        _ => null,
    };

    /// <summary>The payload's <c>data</c> and the customer it concerns; no data when the invoice or run is gone.</summary>
    private async Task<(object? Data, Customer? Customer)> DataAsync(BillingEventRecord billingEvent, CancellationToken cancellationToken)
    {
        if (billingEvent.Type == "close.customer_parked")
        {
            var runId = Field(billingEvent, "runId")?.GetString() ?? "";
            var customerId = Field(billingEvent, "customerId")?.GetString() ?? "";
            var run = await runs.GetAsync(billingEvent.TenantId, runId, cancellationToken, withProgress: false);
            var parked = await customers.GetAsync(billingEvent.TenantId, customerId, cancellationToken);
            return run is null ? (null, parked) : (new CustomerParkedData(
                new CloseRunReference(run.Id, run.Period.ToString()),
                new InvoiceCustomerResponse(customerId, parked?.Key, parked?.Name, new InvoiceUsageAttributionResponse(parked?.SubjectKeys ?? [])),
                Field(billingEvent, "step")?.GetString()?.ToLowerInvariant() ?? "",
                Field(billingEvent, "error")?.GetString() ?? "",
                billingEvent.InvoiceId), parked);
        }

        if (billingEvent.InvoiceId is not { } invoiceId || await invoices.GetAsync(billingEvent.TenantId, invoiceId, cancellationToken) is not { } invoice)
        {
            return (null, null);
        }

        var asItWas = billingEvent.Type switch
        {
            "invoice.issued" => invoice with { Status = InvoiceStatus.Issued, VoidedAt = null, VoidReason = null, ExternalId = null },
            "invoice.approval_required" => invoice with { Status = InvoiceStatus.PendingApproval, Number = null, IssuedAt = null, VoidedAt = null, VoidReason = null, ExternalId = null },
            _ => invoice,
        };
        var customer = await customers.GetAsync(invoice.TenantId, invoice.CustomerId, cancellationToken);
        var tenant = await tenants.GetAsync(invoice.TenantId, cancellationToken);
        return (InvoiceResponse.From(asItWas, customer, tenant?.Name ?? invoice.TenantId, withLines: true), customer);
    }

    private static JsonElement? Field(BillingEventRecord billingEvent, string name)
    {
        using var payload = JsonDocument.Parse(billingEvent.Payload);
        return payload.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
    }
}

/// <summary>The <c>data</c> of a <c>close.customer_parked</c> notification: which run, which customer, at which step, and why.</summary>
public sealed record CustomerParkedData(CloseRunReference CloseRun, InvoiceCustomerResponse Customer, string Step, string Error, string? InvoiceId);

public sealed record CloseRunReference(string Id, string Period);
