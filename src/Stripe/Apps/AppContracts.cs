using Tally.Billing.Payments;

namespace Tally.Stripe.Apps;

/// <summary>OpenMeter's <c>MarketplaceListing</c>: what an app type offers and how it installs.</summary>
public sealed record MarketplaceListingResponse(string Type, string Name, string Description, IReadOnlyList<AppCapabilityResponse> Capabilities, IReadOnlyList<string> InstallMethods);

/// <summary>OpenMeter's <c>AppCapability</c>.</summary>
public sealed record AppCapabilityResponse(string Type, string Key, string Name, string Description);

/// <summary>OpenMeter's <c>App</c> of type <c>stripe</c>; the secret key only ever appears masked.</summary>
public sealed record StripeAppResponse(
    string Id,
    string Type,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    MarketplaceListingResponse Listing,
    string Status,
    string StripeAccountId,
    bool Livemode,
    string MaskedAPIKey)
{
    public static StripeAppResponse From(PaymentApp app) => new(
        app.Id,
        app.Type,
        app.Name,
        app.Description,
        app.Metadata,
        app.CreatedAt.UtcDateTime,
        app.UpdatedAt.UtcDateTime,
        MarketplaceListings.Stripe,
        app.Status == PaymentAppStatus.Ready ? "ready" : "unauthorized",
        app.AccountId,
        app.Livemode,
        app.MaskedApiKey);
}

/// <summary>OpenMeter's <c>MarketplaceInstallResponse</c>.</summary>
public sealed record InstallResponse(StripeAppResponse App, IReadOnlyList<string> DefaultForCapabilityTypes);

/// <summary><c>POST /api/v1/marketplace/listings/stripe/install/apikey</c>.</summary>
public sealed class InstallWithApiKeyRequest
{
    public string? ApiKey { get; set; }

    public string? Name { get; set; }

    /// <summary>Accepted for OpenMeter compatibility; Tally has no billing profiles yet, the app is the tenant's one Stripe app.</summary>
    public bool? CreateBillingProfile { get; set; }
}

/// <summary>OpenMeter's <c>AppReplaceUpdate</c> for a Stripe app (<c>PUT /api/v1/apps/{id}</c>).</summary>
public sealed class AppReplaceRequest
{
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    public string? SecretAPIKey { get; set; }
}

/// <summary>The deprecated <c>PUT /api/v1/apps/{id}/stripe/api-key</c>.</summary>
public sealed class ApiKeyUpdateRequest
{
    public string? SecretAPIKey { get; set; }
}

/// <summary>OpenMeter's <c>StripeCustomerAppDataBase</c> (<c>PUT /api/v1/customers/{id}/stripe</c>).</summary>
public sealed class StripeCustomerDataRequest
{
    public string? StripeCustomerId { get; set; }

    public string? StripeDefaultPaymentMethodId { get; set; }
}

/// <summary>OpenMeter's <c>StripeCustomerAppData</c>.</summary>
public sealed record StripeCustomerDataResponse(string Id, string Type, string StripeCustomerId, string? StripeDefaultPaymentMethodId, StripeAppResponse App);
