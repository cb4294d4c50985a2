namespace Tally.Billing.Payments;

/// <summary>Whether an app's credentials still work (OpenMeter's <c>AppStatus</c>).</summary>
public enum PaymentAppStatus
{
    Ready,

    /// <summary>The processor refused the stored key (revoked or rolled); rotate it.</summary>
    Unauthorized,
}

/// <summary>
/// A tenant's installed payment processor app (OpenMeter's <c>App</c>, type <c>stripe</c>): the
/// processor account it reaches and its secret key, which the ledger holds only sealed (encrypted by
/// the adapter) and the API shows only masked. A tenant has at most one app per type.
/// </summary>
public sealed record PaymentApp(
    string TenantId,
    string Id,
    string Type,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    string AccountId,
    bool Livemode,
    string MaskedApiKey,
    string SealedApiKey,
    PaymentAppStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string StripeType = "stripe";

    /// <summary>
    /// The namespace the processor's ids live in: one account's test and live modes are separate
    /// worlds in Stripe, so an id is only meaningful together with both.
    /// </summary>
    public string AccountNamespace => $"{AccountId}:{(Livemode ? "live" : "test")}";
}

/// <summary>
/// A customer linked by hand to an existing processor customer (OpenMeter's
/// <c>StripeCustomerAppData</c>): pushes use it as it is and never create one.
/// </summary>
public sealed record CustomerPaymentLink(
    string TenantId,
    string AppId,
    string CustomerId,
    string ExternalCustomerId,
    string? DefaultPaymentMethodId,
    DateTimeOffset UpdatedAt);
