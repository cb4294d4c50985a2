using Stripe;
using Tally.Billing.Payments;

namespace Tally.Stripe;

/// <summary>What the app and customer routes ask Stripe: whose account a key opens, and whether a customer or payment method exists there.</summary>
internal sealed class StripeAccounts(StripeClients clients)
{
    /// <summary>The account <paramref name="apiKey"/> opens (GET /v1/account); its mode follows from the key (<c>sk_live_</c> / <c>rk_live_</c>).</summary>
    public async Task<(string AccountId, bool Livemode)> VerifyAsync(string apiKey, CancellationToken cancellationToken)
    {
        var account = await CallAsync(
            () => clients.For(apiKey).RequestAsync<Account>(HttpMethod.Get, "/v1/account", null, null, cancellationToken), "checking the API key", cancellationToken);
        return (account.Id, apiKey.Contains("_live_", StringComparison.Ordinal));
    }

    /// <summary>The customer, or null when the account has none by that id (or it was deleted).</summary>
    public async Task<global::Stripe.Customer?> FindCustomerAsync(string apiKey, string customerId, CancellationToken cancellationToken)
    {
        var customer = await FindAsync(() => new CustomerService(clients.For(apiKey)).GetAsync(customerId, cancellationToken: cancellationToken), "reading a customer", cancellationToken);
        return customer is { Deleted: true } ? null : customer;
    }

    public Task<PaymentMethod?> FindPaymentMethodAsync(string apiKey, string paymentMethodId, CancellationToken cancellationToken) =>
        FindAsync(() => new PaymentMethodService(clients.For(apiKey)).GetAsync(paymentMethodId, cancellationToken: cancellationToken), "reading a payment method", cancellationToken);

    /// <summary>Runs a Stripe call and turns its failures into Tally's two kinds.</summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, string action, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (StripeErrors.Classify(exception, action, cancellationToken) is { } classified)
        {
            throw classified;
        }
    }

    private static async Task<T?> FindAsync<T>(Func<Task<T>> call, string action, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await CallAsync(call, action, cancellationToken);
        }
        catch (PaymentProcessorRejectedException rejected) when (rejected.Code == "resource_missing")
        {
            return null;
        }
    }
}
