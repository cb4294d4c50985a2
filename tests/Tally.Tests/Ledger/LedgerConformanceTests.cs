using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Meters;
using Tally.Billing.Tenants;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>
/// What every ledger provider must do. Each provider subclasses this with a fresh database per test;
/// scenarios shared by several tests build their data through <see cref="LedgerScenario"/>.
/// </summary>
public abstract partial class LedgerConformanceTests : IAsyncLifetime
{
    private readonly List<TestLedger> ledgers = [];
    private TestLedger? ledger;

    internal TestLedger Ledger => ledger ?? throw new InvalidOperationException("The ledger is not open.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal abstract ValueTask<TestLedger> OpenLedgerAsync();

    /// <summary>Another ledger instance over the same database, as a second process would open it.</summary>
    internal virtual ValueTask<TestLedger> OpenSecondLedgerAsync() => OpenLedgerAsync();

    protected abstract ValueTask CleanUpAsync();

    public async ValueTask InitializeAsync()
    {
        ledger = await OpenLedgerAsync();
        ledgers.Add(ledger);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var opened in ledgers)
        {
            await opened.DisposeAsync();
        }

        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    internal async Task<TestLedger> SecondLedgerAsync()
    {
        var second = await OpenSecondLedgerAsync();
        ledgers.Add(second);
        return second;
    }

    [Fact]
    public async Task TenantCreate_ReturnedKey_FindsTheTenant()
    {
        var (tenant, apiKey) = await Ledger.Tenants.CreateAsync("Acme", Ct);

        var found = await Ledger.Tenants.FindByApiKeyAsync(apiKey, Ct);

        Assert.Equal(tenant, found);
        Assert.Equal(new Tenant(tenant.Id, "Acme", TestLedger.Now), found);
        Assert.StartsWith("tly_", apiKey, StringComparison.Ordinal);
        Assert.Equal(47, apiKey.Length);
    }

    [Fact]
    public async Task FindByApiKey_WrongKey_ReturnsNull()
    {
        var (_, apiKey) = await Ledger.Tenants.CreateAsync("Acme", Ct);

        Assert.Null(await Ledger.Tenants.FindByApiKeyAsync(apiKey + "x", Ct));
        Assert.Null(await Ledger.Tenants.FindByApiKeyAsync("tly_" + new string('A', 43), Ct));
        Assert.Null(await Ledger.Tenants.FindByApiKeyAsync("", Ct));
    }

    [Fact]
    public async Task TenantCreate_Always_StoresOnlyTheKeyHash()
    {
        var (tenant, apiKey) = await Ledger.Tenants.CreateAsync("Acme", Ct);

        var stored = await LedgerScenario.ApiKeyRowsAsync(Ledger, tenant.Id);

        var row = Assert.Single(stored);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiKey))), row.KeyHash);
        Assert.Equal(apiKey[..8], row.Prefix);
        Assert.DoesNotContain(apiKey[4..], row.KeyHash + row.Prefix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantList_TwoTenants_ReturnsBoth()
    {
        var (first, _) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        var (second, _) = await Ledger.Tenants.CreateAsync("Globex", Ct);

        var tenants = await Ledger.Tenants.ListAsync(Ct);

        Assert.Equal([first.Id, second.Id], tenants.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Equal(second, await Ledger.Tenants.GetAsync(second.Id, Ct));
        Assert.Null(await Ledger.Tenants.GetAsync("tnt_missing", Ct));
    }

    [Fact]
    public async Task MeterCreate_Always_RoundTripsEveryField()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var createdAt = new DateTimeOffset(2026, 11, 25, 11, 30, 15, 123, TimeSpan.FromHours(2));
        var meter = LedgerScenario.Meter(tenant, "tokens") with
        {
            GroupBy = new Dictionary<string, string> { ["model"] = "$.model", ["region"] = "$.region" },
            CreatedAt = createdAt,
            Name = "LLM tokens",
            EventFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            DataFilter = [new DataCondition("$.status", DataOperator.In, ["ok", "partial"]), new DataCondition("$.n", DataOperator.Gt, ["0.5"])],
            Metadata = new Dictionary<string, string> { ["team"] = "ml" },
            UpdatedAt = createdAt.AddHours(1),
        };

        await Ledger.Meters.CreateAsync(meter, Ct);
        var byId = await Ledger.Meters.GetAsync(tenant, meter.Id, Ct);
        var bySlug = await Ledger.Meters.GetAsync(tenant, "tokens", Ct);

        Assert.NotNull(byId);
        Assert.Equal(meter.GroupBy, byId.GroupBy);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 30, 15, 123, TimeSpan.Zero), byId.CreatedAt);
        Assert.Equal(TimeSpan.Zero, byId.CreatedAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 30, 15, 123, TimeSpan.Zero), byId.UpdatedAt);
        Assert.Equal(meter.DataFilter.Select(c => (c.Path, c.Operator, string.Join('|', c.Values))), byId.DataFilter.Select(c => (c.Path, c.Operator, string.Join('|', c.Values))));
        Assert.Equal(meter.Metadata, byId.Metadata);
        Assert.Equal(
            meter with { GroupBy = byId.GroupBy, CreatedAt = byId.CreatedAt, UpdatedAt = byId.UpdatedAt, DataFilter = byId.DataFilter, Metadata = byId.Metadata },
            byId);
        Assert.Equal(byId with { GroupBy = bySlug!.GroupBy, DataFilter = bySlug.DataFilter, Metadata = bySlug.Metadata }, bySlug);
    }

    [Fact]
    public async Task MeterUpdate_NameGroupByMetadata_ReplacesThemAndKeepsTheRest()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var meter = LedgerScenario.Meter(tenant, "tokens");
        await Ledger.Meters.CreateAsync(meter, Ct);

        var changed = meter with
        {
            Name = "Renamed",
            Description = "new words",
            GroupBy = new Dictionary<string, string> { ["model"] = "$.model" },
            Metadata = null,
            UpdatedAt = meter.CreatedAt.AddDays(1),
        };
        await Ledger.Meters.UpdateAsync(changed, Ct);
        var stored = await Ledger.Meters.GetAsync(tenant, "tokens", Ct);

        Assert.Equal(("Renamed", "new words", "$.model", meter.CreatedAt.AddDays(1)), (stored!.Name, stored.Description, stored.GroupBy["model"], stored.UpdatedAt));
        Assert.Equal((meter.Aggregation, meter.EventType, meter.ValueProperty, meter.CreatedAt), (stored.Aggregation, stored.EventType, stored.ValueProperty, stored.CreatedAt));
    }

    [Fact]
    public async Task MeterCreate_SlugTaken_ThrowsConflictOnSlug()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        await Ledger.Meters.CreateAsync(LedgerScenario.Meter(tenant, "tokens"), Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Meters.CreateAsync(LedgerScenario.Meter(tenant, "tokens"), Ct));
        await Ledger.Meters.CreateAsync(LedgerScenario.Meter(other, "tokens"), Ct);

        Assert.Equal("slug", conflict.Field);
        Assert.Single(await Ledger.Meters.ListAsync(tenant, Ct));
        Assert.Equal(2, (await Ledger.Meters.ListAllAsync(Ct)).Count);
    }

    [Fact]
    public async Task MeterDelete_ExistingThenAgain_ReturnsTrueThenFalse()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        await Ledger.Meters.CreateAsync(LedgerScenario.Meter(tenant, "tokens"), Ct);

        Assert.True(await Ledger.Meters.DeleteAsync(tenant, "tokens", Ct));
        Assert.False(await Ledger.Meters.DeleteAsync(tenant, "tokens", Ct));
        Assert.Empty(await Ledger.Meters.ListAsync(tenant, Ct));
    }

    [Fact]
    public async Task CustomerCreate_SubjectOfAnotherCustomer_ThrowsConflictOnSubjectKeys()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        await Ledger.Customers.CreateAsync(LedgerScenario.Customer(tenant, "alice", "alice", "shared-subject"), Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(
            () => Ledger.Customers.CreateAsync(LedgerScenario.Customer(tenant, "bob", "bob", "shared-subject"), Ct));
        var keyConflict = await Assert.ThrowsAsync<LedgerConflictException>(
            () => Ledger.Customers.CreateAsync(LedgerScenario.Customer(tenant, "alice", "other"), Ct));

        Assert.Equal("usageAttribution.subjectKeys", conflict.Field);
        Assert.Equal("key", keyConflict.Field);
        var alice = Assert.Single(await Ledger.Customers.ListAsync(tenant, Ct));
        Assert.Equal(["alice", "shared-subject"], alice.SubjectKeys);
        Assert.Null(await Ledger.Customers.GetAsync(tenant, "bob", Ct));
    }

    [Fact]
    public async Task CustomerCreate_SameSubjectInAnotherTenant_Succeeds()
    {
        var first = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var second = await LedgerScenario.TenantAsync(Ledger, "Globex");

        await Ledger.Customers.CreateAsync(LedgerScenario.Customer(first, "alice", "user-1"), Ct);
        await Ledger.Customers.CreateAsync(LedgerScenario.Customer(second, "alice", "user-1"), Ct);

        Assert.Equal(["user-1"], (await Ledger.Customers.GetAsync(second, "alice", Ct))!.SubjectKeys);
    }
}
