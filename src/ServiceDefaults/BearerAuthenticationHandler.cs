using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Portal;
using Tally.Billing.Tenants;

namespace Tally.ServiceDefaults;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> as either the admin token or a tenant API key (looked up
/// by hash in the ledger, through <see cref="ApiKeyCache"/>). The key itself is never logged. Portal tokens are refused here without a
/// lookup: they reach only the portal routes, which authenticate with <see cref="PortalTokenAuthenticationHandler"/>.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminToken adminToken,
    ApiKeyCache apiKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Authorization must be 'Bearer <api key>'.");
        }

        var token = header["Bearer ".Length..].Trim();
        if (PortalToken.LooksLikeOne(token))
        {
            return AuthenticateResult.Fail(PortalTokenHere);
        }

        if (adminToken.Matches(token))
        {
            return Success(new Claim(ClaimTypes.Role, TallyClaims.AdminRole));
        }

        // Requests of an HTTP/1.x connection come one after another, so its items can remember the last key.
        var connection = HttpProtocol.IsHttp11(Request.Protocol) || HttpProtocol.IsHttp10(Request.Protocol)
            ? Context.Features.Get<IConnectionItemsFeature>()?.Items
            : null;
        return await apiKeys.FindAsync(token, connection, Context.RequestAborted) is { } found
            ? AuthenticateResult.Success(new AuthenticationTicket(found.Principal, Scheme.Name))
            : AuthenticateResult.Fail("The API key is not valid.");
    }

    private const string PortalTokenHere = "A portal token reads only the /api/v1/portal routes; this route takes a tenant API key.";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: result.Failure?.Message == PortalTokenHere
                ? PortalTokenHere
                : "Send 'Authorization: Bearer <api key>' with a tenant API key (create one with './tally tenant create NAME').",
            type: "https://tally.dev/problems/unauthorized").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: "This credential may not call this endpoint: tenant routes need a tenant API key, /api/admin routes the admin token.",
            type: "https://tally.dev/problems/forbidden").ExecuteAsync(Context);
    }

    private AuthenticateResult Success(Claim claim) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([claim], Scheme.Name)), Scheme.Name));
}
