using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Tally.Billing.Payments;
using Tally.Stripe.Apps;
using Tally.Stripe.Push;

namespace Tally.Stripe;

/// <summary>
/// <see cref="IPaymentProcessor"/> on each tenant's own Stripe account (its installed app's key, opened
/// from the ledger only for the call). Exactly once: see <see cref="StripeDocumentPush"/> and
/// docs/architecture.md, "Stripe exactly once".
/// </summary>
internal sealed class StripePaymentProcessor(
    IPaymentAppStore apps,
    IPaymentObjectStore objects,
    ApiKeyCipher cipher,
    StripeClients clients,
    IOptions<StripeOptions> options,
    TimeProvider clock,
    ILogger<StripePaymentProcessor> logger) : IPaymentProcessor
{
    public async Task<bool> IsConnectedAsync(string tenantId, CancellationToken cancellationToken) =>
        await apps.FindByTypeAsync(tenantId, PaymentApp.StripeType, cancellationToken) is not null;

    public async Task<PaymentReceipt> PushAsync(PaymentDocument document, CancellationToken cancellationToken)
    {
        if (document.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException($"Document {document.DocumentKey} cannot be pushed: {string.Join(" ", problems)}", nameof(document));
        }

        var app = await AppAsync(document.TenantId, cancellationToken);
        var link = await apps.GetLinkAsync(document.TenantId, app.Id, document.Customer.Id, cancellationToken);
        var known = new KnownObjects(objects, document.TenantId, app.AccountNamespace, clock);
        await known.LoadAsync(StripeDocumentPush.KeysOf(document), cancellationToken);
        var push = new StripeDocumentPush(Client(app), document, link, known, options.Value, logger);
        var receipt = await CallAsync(app, () => push.RunAsync(cancellationToken), $"pushing {document.Kind} {document.DocumentKey}", cancellationToken);
        StripeLog.Pushed(logger, document.Kind.ToString(), document.DocumentKey, document.Customer.Id, document.TenantId, receipt.ExternalId);
        return receipt;
    }

    public async Task<VoidOutcome> VoidAsync(string tenantId, string customerId, string documentKey, CancellationToken cancellationToken)
    {
        var app = await AppAsync(tenantId, cancellationToken);
        var invoiceKey = StripeObjectKeys.Invoice(customerId, documentKey);
        var (customerKey, voidedKey) = (StripeObjectKeys.Customer(customerId), StripeObjectKeys.Voided(invoiceKey));
        var known = new KnownObjects(objects, tenantId, app.AccountNamespace, clock);
        await known.LoadAsync([customerKey, invoiceKey, voidedKey], cancellationToken);
        var linked = (await apps.GetLinkAsync(tenantId, app.Id, customerId, cancellationToken))?.ExternalCustomerId;
        var client = Client(app);
        var outcome = await CallAsync(app, () => VoidAsync(client, known, tenantId, known.IdOf(customerKey) ?? linked, invoiceKey, cancellationToken), $"voiding {documentKey}", cancellationToken);
        StripeLog.Voided(logger, documentKey, customerId, tenantId, outcome.ToString());
        return outcome;
    }

    private static async Task<VoidOutcome> VoidAsync(IStripeClient client, KnownObjects known, string tenantId, string? stripeCustomerId, string invoiceKey, CancellationToken cancellationToken)
    {
        var voidedKey = StripeObjectKeys.Voided(invoiceKey);
        if (known.IdOf(voidedKey) is not null)
        {
            return VoidOutcome.AlreadyVoided;
        }

        var invoiceId = known.IdOf(invoiceKey);
        if (invoiceId is null && known.MayExist(invoiceKey) && stripeCustomerId is not null)
        {
            invoiceId = (await StripeLookups.InvoiceAsync(client, stripeCustomerId, StripeObjectKeys.Metadata(tenantId, invoiceKey), cancellationToken))?.Id;
        }

        if (invoiceId is null)
        {
            return VoidOutcome.NotInProcessor;
        }

        var invoices = new InvoiceService(client);
        string? status;
        try
        {
            status = (await invoices.GetAsync(invoiceId, cancellationToken: cancellationToken)).Status;
        }
        catch (StripeException missing) when (missing.StripeError?.Code == "resource_missing")
        {
            status = null; // a deleted draft
        }

        var outcome = status switch
        {
            null or "void" => VoidOutcome.AlreadyVoided,
            "draft" => VoidOutcome.DraftDeleted,
            "open" or "uncollectible" => VoidOutcome.Voided,
            _ => throw new PaymentProcessorRejectedException(
                StripeErrors.Processor, "invoice_paid", $"Stripe invoice {invoiceId} is {status}; it cannot be voided. Issue a credit note instead."),
        };
        if (outcome == VoidOutcome.DraftDeleted)
        {
            await invoices.DeleteAsync(invoiceId, cancellationToken: cancellationToken);
        }
        else if (outcome == VoidOutcome.Voided)
        {
            await invoices.VoidInvoiceAsync(invoiceId, null, new RequestOptions { IdempotencyKey = StripeObjectKeys.Idempotency(tenantId, voidedKey) }, cancellationToken);
        }

        await known.RecordAsync(voidedKey, invoiceId, cancellationToken);
        return outcome;
    }

    private async Task<PaymentApp> AppAsync(string tenantId, CancellationToken cancellationToken) =>
        await apps.FindByTypeAsync(tenantId, PaymentApp.StripeType, cancellationToken)
        ?? throw new PaymentProcessorRejectedException(
            StripeErrors.Processor, "not_connected", $"Tenant {tenantId} has no Stripe app; install one with POST /api/v1/marketplace/listings/stripe/install/apikey.");

    private IStripeClient Client(PaymentApp app)
    {
        try
        {
            return clients.For(cipher.Open(app.SealedApiKey, app.TenantId, app.Id));
        }
        catch (CryptographicException exception)
        {
            throw new PaymentProcessorRejectedException(StripeErrors.Processor, "sealed_key_unreadable", exception.Message, exception);
        }
    }

    /// <summary>Runs Stripe calls, classifies what fails, and marks the app unauthorized when Stripe refuses its key.</summary>
    private async Task<T> CallAsync<T>(PaymentApp app, Func<Task<T>> call, string action, CancellationToken cancellationToken)
    {
        try
        {
            return await StripeAccounts.CallAsync(call, action, cancellationToken);
        }
        catch (PaymentProcessorRejectedException rejected) when (rejected.Code == "unauthorized" && app.Status == PaymentAppStatus.Ready)
        {
            await apps.UpdateAsync(app with { Status = PaymentAppStatus.Unauthorized, UpdatedAt = clock.GetUtcNow() }, cancellationToken);
            StripeLog.AppUnauthorized(logger, app.Id, app.TenantId);
            throw;
        }
    }
}
