using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Portal;

namespace Tally.ServiceDefaults;

/// <summary>
/// Authenticates the portal routes: <c>Authorization: Bearer &lt;portal token&gt;</c>, looked up by hash in
/// the ledger on every request, so an invalidated token is refused by every process at once. Tenant API
/// keys and the admin token are refused here, as portal tokens are refused everywhere else.
/// </summary>
public sealed class PortalTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IPortalTokenStore tokens,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string TokenItem = "tally:portal-token";

    /// <summary>The verified token of a request that passed <see cref="TallyClaims.PortalPolicy"/>.</summary>
    public static PortalToken TokenOf(HttpContext context) =>
        context.Items[TokenItem] as PortalToken ?? throw new InvalidOperationException("The request is not authenticated with a portal token.");

    /// <summary>
    /// Whether the request's token is still good now (not invalidated, not expired): long-lived
    /// responses (the live query stream) ask again before each update. Null when it is; otherwise why not.
    /// </summary>
    public static async Task<string?> RecheckAsync(HttpContext context, IPortalTokenStore store, TimeProvider clock)
    {
        string? header = context.Request.Headers.Authorization;
        var token = header is null ? null : await store.FindAsync(header["Bearer ".Length..], context.RequestAborted);
        return token is null ? "The portal token is not valid." : Refusal(token, clock.GetUtcNow());
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.Fail("Send 'Authorization: Bearer <portal token>'; portal tokens come from POST /api/v1/portal/tokens.");
        }

        // OpenMeter's portal authenticator is exact about the scheme; so is this one.
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length == "Bearer ".Length)
        {
            return AuthenticateResult.Fail("Authorization must be 'Bearer <portal token>'.");
        }

        var secret = header["Bearer ".Length..];
        if (!PortalToken.LooksLikeOne(secret))
        {
            return AuthenticateResult.Fail($"Portal routes take a portal token ({PortalToken.Prefix}...), not a tenant API key or the admin token.");
        }

        var token = await tokens.FindAsync(secret, Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("The portal token is not valid.");
        }

        if (Refusal(token, clock.GetUtcNow()) is { } refusal)
        {
            return AuthenticateResult.Fail(refusal);
        }

        Context.Items[TokenItem] = token;
        var identity = new ClaimsIdentity(
            [
                new Claim(TallyClaims.PortalTenantId, token.TenantId),
                new Claim(TallyClaims.PortalSubject, token.Subject),
                new Claim(TallyClaims.PortalTokenId, token.Id),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: result.Failure?.Message ?? "Send 'Authorization: Bearer <portal token>'.",
            type: "https://tally.dev/problems/unauthorized").ExecuteAsync(Context);
    }

    private static string? Refusal(PortalToken token, DateTimeOffset now) =>
        token.InvalidatedAt is not null ? "The portal token was invalidated; ask for a new one."
        : token.IsExpired(now) ? "The portal token expired; ask for a new one."
        : null;
}
