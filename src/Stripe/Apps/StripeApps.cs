using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Payments;

namespace Tally.Stripe.Apps;

/// <summary>
/// Installing, renaming and re-keying a tenant's Stripe app: every key is checked against Stripe
/// (GET /v1/account) before it is sealed and stored, and a rotated key must open the same account in
/// the same mode, since the ids Tally recorded live there.
/// </summary>
internal sealed partial class StripeApps(IPaymentAppStore store, StripeAccounts accounts, ApiKeyCipher cipher, TimeProvider clock, ILogger<StripeApps> logger)
{
    /// <summary>Installs the tenant's Stripe app, or names the field that stops it.</summary>
    public async Task<(PaymentApp? App, FieldError? Error)> InstallAsync(string tenantId, string? apiKey, string? name, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is { } nameError)
        {
            return (null, nameError);
        }

        var (account, keyError) = await VerifyAsync(apiKey, "apiKey", cancellationToken);
        if (keyError is not null)
        {
            return (null, keyError);
        }

        var now = clock.GetUtcNow();
        var appId = Ids.New("app");
        var app = new PaymentApp(
            tenantId, appId, PaymentApp.StripeType, name ?? "Stripe", null, null, account.AccountId, account.Livemode,
            Mask(apiKey!), cipher.Seal(apiKey!, tenantId, appId), PaymentAppStatus.Ready, now, now);
        await store.CreateAsync(app, cancellationToken);
        StripeLog.AppInstalled(logger, tenantId, appId, account.AccountId, account.Livemode);
        return (app, null);
    }

    /// <summary>Replaces name, description and metadata, and the key when <paramref name="newApiKey"/> is given.</summary>
    public async Task<(PaymentApp? App, FieldError? Error)> ReplaceAsync(
        PaymentApp app, string? name, string? description, Dictionary<string, string>? metadata, string? newApiKey, string keyField, CancellationToken cancellationToken)
    {
        if ((NameProblem(name) ?? DescribedProblem(description, metadata)) is { } error)
        {
            return (null, error);
        }

        var replaced = app with { Name = name ?? app.Name, Description = description, Metadata = metadata, UpdatedAt = clock.GetUtcNow() };
        if (newApiKey is not null)
        {
            var (account, keyError) = await VerifyAsync(newApiKey, keyField, cancellationToken);
            if (keyError is not null)
            {
                return (null, keyError);
            }

            if ((account.AccountId, account.Livemode) != (app.AccountId, app.Livemode))
            {
                return (null, new FieldError(keyField, $"opens Stripe account {account.AccountId} ({Mode(account.Livemode)}), but this app is for {app.AccountId} ({Mode(app.Livemode)}); install another app for another account."));
            }

            replaced = replaced with { MaskedApiKey = Mask(newApiKey), SealedApiKey = cipher.Seal(newApiKey, app.TenantId, app.Id), Status = PaymentAppStatus.Ready };
        }

        await store.UpdateAsync(replaced, cancellationToken);
        if (newApiKey is not null)
        {
            StripeLog.AppKeyRotated(logger, app.TenantId, app.Id);
        }

        return (replaced, null);
    }

    /// <summary>Uninstalls the app (and its customer links); the ids of what was pushed stay, keyed by the Stripe account.</summary>
    public async Task<bool> UninstallAsync(string tenantId, string appId, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(tenantId, appId, cancellationToken);
        if (deleted)
        {
            StripeLog.AppUninstalled(logger, tenantId, appId);
        }

        return deleted;
    }

    /// <summary>The key in clear, for a call made on the tenant's behalf.</summary>
    public string OpenKey(PaymentApp app) => cipher.Open(app.SealedApiKey, app.TenantId, app.Id);

    /// <summary><c>sk_test_***wxyz</c>: the kind of key and its last four characters, as Stripe's dashboard shows it.</summary>
    internal static string Mask(string apiKey) => $"{apiKey[..(apiKey.IndexOf('_', 3) + 1)]}***{apiKey[^4..]}";

    private async Task<((string AccountId, bool Livemode) Account, FieldError? Error)> VerifyAsync(string? apiKey, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(apiKey) || !SecretKey().IsMatch(apiKey))
        {
            return (default, new FieldError(field, "must be a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_test_…, rk_live_…) from the Stripe dashboard's API keys page."));
        }

        try
        {
            return (await accounts.VerifyAsync(apiKey, cancellationToken), null);
        }
        catch (PaymentProcessorRejectedException rejected)
        {
            return (default, new FieldError(field, $"was refused by Stripe ({rejected.Code}); check that the key is current and not revoked."));
        }
    }

    private static FieldError? NameProblem(string? name) =>
        name is not null && Limits.IdentifierProblem(name, Limits.Name) is { } problem ? new FieldError("name", problem) : null;

    private static FieldError? DescribedProblem(string? description, Dictionary<string, string>? metadata)
    {
        if (description is { Length: > Limits.Description })
        {
            return new FieldError("description", $"has {description.Length} characters; at most {Limits.Description}.");
        }

        return metadata is { Count: > 50 } || (metadata ?? []).Any(pair => Limits.IdentifierProblem(pair.Key, Limits.Key) is not null || pair.Value is null || pair.Value.Length > Limits.Name)
            ? new FieldError("metadata", "must map at most 50 keys of 1-63 printable characters to strings of at most 256 characters.")
            : null;
    }

    private static string Mode(bool livemode) => livemode ? "live mode" : "test mode";

    [GeneratedRegex("^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$")]
    private static partial Regex SecretKey();
}
