using Dapper;
using Tally.Billing.Portal;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>Portal tokens: found by their secret only, hashed at rest, listed and invalidated per tenant, visible to a second process at once.</summary>
public abstract partial class LedgerConformanceTests
{
    [Fact]
    public async Task PortalTokenCreate_ReturnedSecret_FindsTheTokenAndOnlyItsHashIsStored()
    {
        var (tenant, _) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        var token = Token(tenant.Id, "ptk_1", "cust-1", ["tokens", "calls"]);

        var secret = await Ledger.PortalTokens.CreateAsync(token, Ct);

        Assert.Matches("^tpt_[A-Za-z0-9_-]{43}$", secret);
        var found = await Ledger.PortalTokens.FindAsync(secret, Ct);
        Assert.NotNull(found);
        Assert.Equal(token, found with { AllowedMeterSlugs = token.AllowedMeterSlugs });
        Assert.Equal(["tokens", "calls"], found.AllowedMeterSlugs);
        Assert.Null(await Ledger.PortalTokens.FindAsync(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'), Ct));
        Assert.Null(await Ledger.PortalTokens.FindAsync("", Ct));
        var stored = await Ledger.Database.ReadAsync(connection => connection.QueryAsync<string>("SELECT token_hash FROM portal_tokens"), Ct);
        Assert.DoesNotContain(secret, string.Join(",", stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortalTokenInvalidate_BySubject_OnlyThatTenantsTokensAndSeenByASecondLedgerAtOnce()
    {
        var (acme, _) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        var (globex, _) = await Ledger.Tenants.CreateAsync("Globex", Ct);
        var mine = await Ledger.PortalTokens.CreateAsync(Token(acme.Id, "ptk_1", "cust-1", []), Ct);
        var theirs = await Ledger.PortalTokens.CreateAsync(Token(globex.Id, "ptk_1", "cust-1", []), Ct);
        var second = await SecondLedgerAsync();
        Assert.Null((await second.PortalTokens.FindAsync(mine, Ct))!.InvalidatedAt);

        var matched = await Ledger.PortalTokens.InvalidateAsync(acme.Id, null, "cust-1", TestLedger.Now, Ct);

        Assert.Equal(1, matched);
        Assert.Equal(TestLedger.Now, (await second.PortalTokens.FindAsync(mine, Ct))!.InvalidatedAt);
        Assert.Null((await second.PortalTokens.FindAsync(theirs, Ct))!.InvalidatedAt);
        Assert.Empty(await Ledger.PortalTokens.ListAsync(acme.Id, 25, Ct));
        Assert.Equal(1, await Ledger.PortalTokens.InvalidateAsync(acme.Id, "ptk_1", null, TestLedger.Now, Ct));
        Assert.Equal(0, await Ledger.PortalTokens.InvalidateAsync(acme.Id, "ptk_1", "cust-2", TestLedger.Now, Ct));
    }

    [Fact]
    public async Task PortalTokenList_SeveralTokens_NewestFirstUpToTheLimitAndExpiredOnesDeletable()
    {
        var (tenant, _) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        for (var i = 0; i < 3; i++)
        {
            await Ledger.PortalTokens.CreateAsync(Token(tenant.Id, $"ptk_{i}", "cust", []) with { CreatedAt = TestLedger.Now.AddMinutes(i), ExpiresAt = TestLedger.Now.AddHours(i) }, Ct);
        }

        Assert.Equal(["ptk_2", "ptk_1"], (await Ledger.PortalTokens.ListAsync(tenant.Id, 2, Ct)).Select(t => t.Id));
        Assert.Equal(1, await Ledger.PortalTokens.DeleteExpiredAsync(tenant.Id, TestLedger.Now.AddMinutes(30), Ct));
        Assert.Equal(["ptk_2", "ptk_1"], (await Ledger.PortalTokens.ListAsync(tenant.Id, 25, Ct)).Select(t => t.Id));
    }

    private static PortalToken Token(string tenantId, string id, string subject, string[] meters) =>
        new(tenantId, id, subject, meters, TestLedger.Now.AddHours(1), TestLedger.Now);
}
