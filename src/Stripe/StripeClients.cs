using Microsoft.Extensions.Options;
using Stripe;

namespace Tally.Stripe;

/// <summary>
/// Stripe.net clients, one per secret key, over one HTTP connection pool. Stripe.net retries network
/// errors, 409 and 5xx itself (<c>Stripe:MaxNetworkRetries</c>, with the request's idempotency key);
/// what still fails reaches <see cref="StripeErrors"/>.
/// </summary>
internal sealed class StripeClients(IOptions<StripeOptions> options) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds) };
    private SystemNetHttpClient? stripeHttp;

    public IStripeClient For(string apiKey)
    {
        stripeHttp ??= new SystemNetHttpClient(http, options.Value.MaxNetworkRetries, enableTelemetry: false);
        return new StripeClient(apiKey, httpClient: stripeHttp, apiBase: string.IsNullOrEmpty(options.Value.BaseAddress) ? null : options.Value.BaseAddress);
    }

    public void Dispose() => http.Dispose();
}
