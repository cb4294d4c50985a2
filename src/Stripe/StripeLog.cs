using Microsoft.Extensions.Logging;

namespace Tally.Stripe;

/// <summary>Every log message of the Stripe adapter, with stable event ids (6000-6099).</summary>
internal static partial class StripeLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Pushed {Kind} {DocumentKey} of customer {CustomerId} (tenant {TenantId}) to Stripe as {ExternalId}")]
    public static partial void Pushed(ILogger logger, string kind, string documentKey, string customerId, string tenantId, string externalId);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Created Stripe {Kind} {ExternalId} for {TallyKey} (tenant {TenantId})")]
    public static partial void Created(ILogger logger, string kind, string externalId, string tallyKey, string tenantId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Found Stripe {Kind} {ExternalId} for {TallyKey} (tenant {TenantId}) by its metadata: an earlier push created it and was interrupted before recording it; reused, not created again")]
    public static partial void FoundAfterInterruption(ILogger logger, string kind, string externalId, string tallyKey, string tenantId);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Tenant {TenantId} installed Stripe app {AppId} for account {AccountId} (livemode {Livemode})")]
    public static partial void AppInstalled(ILogger logger, string tenantId, string appId, string accountId, bool livemode);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Tenant {TenantId} rotated the API key of Stripe app {AppId}")]
    public static partial void AppKeyRotated(ILogger logger, string tenantId, string appId);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Tenant {TenantId} uninstalled Stripe app {AppId}")]
    public static partial void AppUninstalled(ILogger logger, string tenantId, string appId);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Stripe refused the API key of app {AppId} (tenant {TenantId}); the app is now 'unauthorized' until its key is rotated")]
    public static partial void AppUnauthorized(ILogger logger, string appId, string tenantId);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Voided {DocumentKey} of customer {CustomerId} (tenant {TenantId}) in Stripe: {Outcome}")]
    public static partial void Voided(ILogger logger, string documentKey, string customerId, string tenantId, string outcome);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "Customer {CustomerId} (tenant {TenantId}) linked to Stripe customer {StripeCustomerId}")]
    public static partial void CustomerLinked(ILogger logger, string customerId, string tenantId, string stripeCustomerId);
}
