using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Notifications;
using Tally.Invoicer.Closing;
using Tally.Rating;
using Tally.Rating.Notifications;
using Tally.Tests.Rating.Api;

namespace Tally.Tests.Invoicer;

/// <summary>
/// Billing events delivered through OpenMeter's notifications: rules of type <c>invoice.created</c>,
/// <c>invoice.updated</c> and Tally's <c>close.customer_parked</c> on a webhook channel, the outbox handed to
/// the notification sink, and rating's webhook dispatcher posting to a real local endpoint, all on the test's clock.
/// </summary>
public sealed partial class CloseWorkflowTests
{
    private const string SigningSecret = "whsec_dGFsbHktYmlsbGluZy1ldmVudHMtc2lnbmluZy1zZWNyZXQ=";

    [Fact]
    public async Task Notifications_InvoiceRules_PostEachIssuedInvoiceOnceAsInvoiceCreatedAndItsVoidAsInvoiceUpdated()
    {
        await using var listener = await WebhookListener.StartAsync();
        var rules = await BillingRulesAsync(listener.Url);
        await StartAsync(October);
        await Worker().DrainAsync(Ct);

        var published = await Dispatcher().RunOnceAsync(Ct);
        // A dispatcher that died before marking its batch published hands the same events over again.
        await Sink().PublishAsync(await ledger.Outbox.ListAsync(tenantId, null, 100, Ct), Ct);
        var sent = await Webhooks().DeliverDueAsync(Ct);
        var issued = new List<WebhookListener.Received>();
        for (var i = 0; i < 3; i++)
        {
            issued.Add(await listener.NextAsync(TimeSpan.FromSeconds(30)));
        }

        var aliceInvoice = (await InvoicesAsync()).Single(i => i.CustomerId == alice.Id);
        clock.Advance(TimeSpan.FromMinutes(5));
        await ledger.Invoices.VoidAsync(tenantId, aliceInvoice.Id, "issued to the wrong customer", clock.GetUtcNow(), Ct);
        await Dispatcher().RunOnceAsync(Ct);
        var sentAfterVoid = await Webhooks().DeliverDueAsync(Ct);
        var voided = await listener.NextAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((3, 3, 1), (published, sent, sentAfterVoid));
        var aliceIssued = issued.Single(w => w.Body.Contains(aliceInvoice.Id, StringComparison.Ordinal));
        Assert.Equal(AliceInvoicePayload(aliceIssued.Headers["webhook-id"], "invoice.created", aliceInvoice.Id, aliceInvoice.CloseRunId!, voided: false), aliceIssued.Body);
        Assert.Equal(AliceInvoicePayload(voided.Headers["webhook-id"], "invoice.updated", aliceInvoice.Id, aliceInvoice.CloseRunId!, voided: true), voided.Body);
        Assert.All(issued.Append(voided), w => Assert.Equal(Signature(w), w.Headers["webhook-signature"]));
        var events = await ledger.Notifications.ListEventsAsync(tenantId, Ct);
        Assert.Equal(
            [(rules.Created, "invoice.created", 3), (rules.Updated, "invoice.updated", 1)],
            events.GroupBy(e => (e.RuleId, e.Type)).Select(g => (g.Key.RuleId, g.Key.Type, g.Count())).OrderBy(g => g.Type, StringComparer.Ordinal));
        foreach (var notification in events)
        {
            Assert.Equal(DeliveryState.Success, Assert.Single(await ledger.Notifications.DeliveriesAsync(tenantId, notification.Id, Ct)).State);
        }
    }

    [Fact]
    public async Task Notifications_DraftHeldForApproval_IsCreatedAsADraftThenUpdatedWhenApprovedOrRejected()
    {
        options.ApprovalAbove = 5m;
        await using var listener = await WebhookListener.StartAsync();
        await BillingRulesAsync(listener.Url);
        var run = await StartAsync(October);
        var worker = Worker();
        await worker.DrainAsync(Ct);
        await ledger.CloseRuns.SignalAsync(tenantId, run.Id, bob.Id, CloseSignal.Approve, "finance@acme", clock.GetUtcNow(), Ct);
        await ledger.CloseRuns.SignalAsync(tenantId, run.Id, alice.Id, CloseSignal.Reject, "finance@acme", clock.GetUtcNow(), Ct);
        await worker.DrainAsync(Ct);

        await Dispatcher().RunOnceAsync(Ct);
        var sent = await Webhooks().DeliverDueAsync(Ct);
        var received = new List<(string?, string?, string?, string?)>();
        for (var i = 0; i < sent; i++)
        {
            using var body = JsonDocument.Parse((await listener.NextAsync(TimeSpan.FromSeconds(30))).Body);
            var data = body.RootElement.GetProperty("data");
            received.Add((body.RootElement.GetProperty("type").GetString(), data.GetProperty("customer").GetProperty("key").GetString(), data.GetProperty("status").GetString(), data.GetProperty("number").GetString()));
        }

        Assert.Equal(
            [
                ("invoice.created", "alice", "draft", null),
                ("invoice.created", "bob", "draft", null),
                ("invoice.created", "dave", "issued", "INV-000001"),
                ("invoice.updated", "alice", "voided", null),
                ("invoice.updated", "bob", "issued", "INV-000002"),
            ],
            received.Order());
    }

    [Fact]
    public async Task Notifications_CustomerParked_PostsTheFailureCallbackAndRetriesAFailedDelivery()
    {
        await using var listener = await WebhookListener.StartAsync();
        var rules = await BillingRulesAsync(listener.Url, only: NotificationRule.CustomerParkedType);
        var erin = await OverflowingCustomerAsync();
        var run = await StartAsync(October);
        await Worker().DrainAsync(Ct);
        listener.AnswerNext(HttpStatusCode.InternalServerError);

        await Dispatcher().RunOnceAsync(Ct);
        var first = await Webhooks().DeliverDueAsync(Ct);
        var failed = await listener.NextAsync(TimeSpan.FromSeconds(30));
        var early = await Webhooks().DeliverDueAsync(Ct);
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Webhooks().DeliverDueAsync(Ct);
        var retried = await listener.NextAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((1, 0, 1), (first, early, second));
        Assert.Equal((failed.Headers["webhook-id"], failed.Body), (retried.Headers["webhook-id"], retried.Body));
        var notification = Assert.Single(await ledger.Notifications.ListEventsAsync(tenantId, Ct));
        Assert.Equal((notification.Id, rules.Parked, NotificationRule.CustomerParkedType), (retried.Headers["webhook-id"], notification.RuleId, notification.Type));
        var error = (await ledger.CloseRuns.TasksAsync(tenantId, run.Id, Ct)).Single(t => t.CustomerId == erin.Id).Error;
        Assert.StartsWith("RatingOverflowException: ", error, StringComparison.Ordinal);
        Assert.Equal(
            $$$"""{"id":"{{{notification.Id}}}","type":"close.customer_parked","timestamp":"2026-11-01T02:00:00Z","data":{"closeRun":{"id":"{{{run.Id}}}","period":"2026-10"},"customer":{"id":"{{{erin.Id}}}","key":"erin","name":"erin Inc.","usageAttribution":{"subjectKeys":["erin"]}},"step":"draft","error":{{{JsonSerializer.Serialize(error)}}},"invoiceId":null}}""",
            retried.Body);
        Assert.Equal(Signature(retried), retried.Headers["webhook-signature"]);
        var delivery = Assert.Single(await ledger.Notifications.DeliveriesAsync(tenantId, notification.Id, Ct));
        Assert.Equal(DeliveryState.Success, delivery.State);
        Assert.Equal([(DeliveryState.Failed, 500), (DeliveryState.Success, 200)], delivery.Attempts.Select(a => (a.State, a.StatusCode ?? 0)));
    }

    /// <summary>A webhook channel to <paramref name="url"/> and one rule on it of each billing type (or of <paramref name="only"/> that one).</summary>
    private async Task<(string Created, string Updated, string Parked)> BillingRulesAsync(string url, string? only = null)
    {
        var now = clock.GetUtcNow();
        var channel = new NotificationChannel(tenantId, Ids.NewUlid(now), "finance", url, false, SigningSecret, now);
        await ledger.Notifications.SaveChannelAsync(channel, Ct);
        var ids = new List<string>();
        foreach (var type in NotificationRule.BillingTypes)
        {
            if (only is not null && type != only)
            {
                ids.Add("");
                continue;
            }

            var rule = new NotificationRule(tenantId, Ids.NewUlid(now), type, type, false, [channel.Id], [], [], now);
            await ledger.Notifications.SaveRuleAsync(rule, Ct);
            ids.Add(rule.Id);
        }

        return (ids[0], ids[1], ids[2]);
    }

    private BillingEventNotifications Sink() => new(ledger.Notifications, ledger.Invoices, ledger.Customers, ledger.Tenants, ledger.CloseRuns);

    private BillingEventDispatcher Dispatcher() => new(ledger.Outbox, [Sink()], clock, NullLogger<BillingEventDispatcher>.Instance);

    /// <summary>Rating's webhook dispatcher on the test's clock; a failed delivery is retried once, after 1 s.</summary>
    private WebhookDispatcher Webhooks() => new(
        ledger.Notifications,
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
        new DeliverySignal(),
        clock,
        Options.Create(new RatingOptions { WebhookRetrySeconds = [1] }),
        NullLogger<WebhookDispatcher>.Instance);

    /// <summary>The Standard Webhooks signature, computed here independently of Tally's code.</summary>
    private static string Signature(WebhookListener.Received webhook)
    {
        var signed = $"{webhook.Headers["webhook-id"]}.{webhook.Headers["webhook-timestamp"]}.{webhook.Body}";
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(SigningSecret["whsec_".Length..]), Encoding.UTF8.GetBytes(signed)));
    }

    /// <summary>
    /// Alice's October invoice (1,001 input tokens at 0.005 and 2,002 output tokens at 0.0025: 10.02 USD) in
    /// OpenMeter's <c>invoice.*</c> payload, issued at 02:00 and, when <paramref name="voided"/>, voided at 02:05.
    /// </summary>
    private string AliceInvoicePayload(string id, string type, string invoiceId, string runId, bool voided)
    {
        var (status, actions, updatedAt, voidedAt) = voided
            ? ("voided", "{}", "2026-11-01T02:05:00Z", "\"2026-11-01T02:05:00Z\"")
            : ("issued", """{"void":{"resultingState":"voided"}}""", "2026-11-01T02:00:00Z", "null");
        return $$$"""
            {"id":"{{{id}}}","type":"{{{type}}}","timestamp":"{{{updatedAt}}}","data":{"id":"{{{invoiceId}}}","type":"standard","number":"INV-000001","currency":"USD","status":"{{{status}}}",
            "statusDetails":{"immutable":true,"failed":false,"extendedStatus":"{{{status}}}","availableActions":{{{actions}}}},
            "customer":{"id":"{{{alice.Id}}}","key":"alice","name":"alice Inc.","usageAttribution":{"subjectKeys":["alice"]}},"supplier":{"id":null,"key":null,"name":"Acme"},
            "period":{"from":"2026-10-01T00:00:00Z","to":"2026-11-01T00:00:00Z"},
            "totals":{"amount":"10.02","chargesTotal":"0","discountsTotal":"0","creditsTotal":"0","taxesInclusiveTotal":"0","taxesExclusiveTotal":"0","taxesTotal":"0","total":"10.02"},
            "createdAt":"2026-11-01T02:00:00Z","updatedAt":"{{{updatedAt}}}","issuedAt":"2026-11-01T02:00:00Z","voidedAt":{{{voidedAt}}},"externalIds":{"invoicing":null},"validationIssues":[],"preceding":null,
            "workflow":{"sourceBillingProfileId":"default","workflow":{}},"lines":[
            {"id":"{{{invoiceId}}}-0","name":"Input tokens","description":null,"type":"usage_based","status":"valid","managedBy":"subscription","currency":"USD",
            "period":{"from":"2026-10-01T00:00:00Z","to":"2026-11-01T00:00:00Z"},"invoiceAt":"2026-11-01T00:00:00Z","quantity":"1001","featureKey":"input","rateCard":{"featureKey":"input","price":{"type":"unit","amount":"0.005"}},
            "totals":{"amount":"5.01","chargesTotal":"0","discountsTotal":"0","creditsTotal":"0","taxesInclusiveTotal":"0","taxesExclusiveTotal":"0","taxesTotal":"0","total":"5.01"},"metadata":{}},
            {"id":"{{{invoiceId}}}-1","name":"Output tokens","description":null,"type":"usage_based","status":"valid","managedBy":"subscription","currency":"USD",
            "period":{"from":"2026-10-01T00:00:00Z","to":"2026-11-01T00:00:00Z"},"invoiceAt":"2026-11-01T00:00:00Z","quantity":"2002","featureKey":"output","rateCard":{"featureKey":"output","price":{"type":"unit","amount":"0.0025"}},
            "totals":{"amount":"5.01","chargesTotal":"0","discountsTotal":"0","creditsTotal":"0","taxesInclusiveTotal":"0","taxesExclusiveTotal":"0","taxesTotal":"0","total":"5.01"},"metadata":{}}],
            "metadata":{"tally.period":"2026-10","tally.closeRunId":"{{{runId}}}"}}
            }
            """.ReplaceLineEndings("");
    }
}
