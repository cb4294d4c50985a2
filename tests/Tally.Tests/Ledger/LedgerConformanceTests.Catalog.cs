using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Notifications;
using Tally.Billing.Pricing;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>The catalog part of the ledger contract: plan versions, features, customers, subscriptions, entitlements, grants, notifications, grain state.</summary>
public abstract partial class LedgerConformanceTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PlanCreate_EveryPriceModel_RoundTripsExactly()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var plan = LedgerScenario.Plan(tenant, "pro", 0.000123456m, 79228162514264.3375935439503m) with
        {
            Phases =
            [
                new PlanPhase("trial", "Trial", new IsoDuration(0, 14, TimeSpan.Zero), [new RateCard(RateCardType.FlatFee, "setup", "Setup", null, null, new FlatPrice(99.5m))]),
                new PlanPhase("default", "Default", null,
                [
                    new RateCard(RateCardType.FlatFee, "base", "Base", null, IsoDuration.Month, new FlatPrice(49m, PaymentTerm.InArrears)) { Discounts = new Discounts(10m, null) },
                    new RateCard(RateCardType.UsageBased, "calls", "Calls", "calls", IsoDuration.Month, new TieredPrice(TierMode.Graduated, [new PriceTier(1000m, null, 0m), new PriceTier(null, 5m, 0.01m)]) { Commitments = new Commitments(10m, 500m) })
                    {
                        Discounts = new Discounts(null, 100m),
                        EntitlementTemplate = new MeteredEntitlementTemplate(true, 1000m, 2, false, null),
                    },
                    new RateCard(RateCardType.UsageBased, "gb", "Storage", "gb", IsoDuration.Month, new PackagePrice(2.5m, 1000m)),
                    new RateCard(RateCardType.UsageBased, "seats", "Seats", "seats", IsoDuration.Month, new TieredPrice(TierMode.Volume, [new PriceTier(10m, 1m, 9m), new PriceTier(null, null, 7m)])),
                    new RateCard(RateCardType.FlatFee, "sso", "SSO", "sso", IsoDuration.Month, null) { EntitlementTemplate = new StaticEntitlementTemplate("{\"idp\":\"okta\"}") },
                ]),
            ],
        };

        await Ledger.Plans.CreateAsync(plan, Ct);
        var stored = await Ledger.Plans.GetAsync(tenant, plan.Id, Ct);

        Assert.NotNull(stored);
        Assert.Equal(PlanJson.WritePhases(plan.Phases), PlanJson.WritePhases(stored.Phases));
        Assert.Equal(
            """[{"key":"trial","name":"Trial","duration":"P2W","rateCards":[{"type":"flat_fee","key":"setup","name":"Setup","billingCadence":null,"price":{"type":"flat","amount":"99.5","paymentTerm":"in_advance"}}]},{"key":"default","name":"Default","duration":null,"rateCards":[{"type":"flat_fee","key":"base","name":"Base","billingCadence":"P1M","price":{"type":"flat","amount":"49","paymentTerm":"in_arrears"},"discounts":{"percentage":{"percentage":10}}},{"type":"usage_based","key":"calls","name":"Calls","featureKey":"calls","billingCadence":"P1M","price":{"type":"tiered","mode":"graduated","tiers":[{"upToAmount":"1000","flatPrice":null,"unitPrice":{"type":"unit","amount":"0"}},{"flatPrice":{"type":"flat","amount":"5"},"unitPrice":{"type":"unit","amount":"0.01"}}],"minimumAmount":"10","maximumAmount":"500"},"discounts":{"usage":{"quantity":"100"}},"entitlementTemplate":{"type":"metered","isSoftLimit":true,"issueAfterReset":1000,"issueAfterResetPriority":2,"preserveOverageAtReset":false}},{"type":"usage_based","key":"gb","name":"Storage","featureKey":"gb","billingCadence":"P1M","price":{"type":"package","amount":"2.5","quantityPerPackage":"1000"}},{"type":"usage_based","key":"seats","name":"Seats","featureKey":"seats","billingCadence":"P1M","price":{"type":"tiered","mode":"volume","tiers":[{"upToAmount":"10","flatPrice":{"type":"flat","amount":"1"},"unitPrice":{"type":"unit","amount":"9"}},{"flatPrice":null,"unitPrice":{"type":"unit","amount":"7"}}]}},{"type":"flat_fee","key":"sso","name":"SSO","featureKey":"sso","billingCadence":"P1M","price":null,"entitlementTemplate":{"type":"static","config":"{\u0022idp\u0022:\u0022okta\u0022}"}}]}]""",
            PlanJson.WritePhases(stored.Phases));
        Assert.Equal((plan.Key, plan.Version, plan.Currency, plan.EffectiveFrom, plan.ProRating), (stored.Key, stored.Version, stored.Currency, stored.EffectiveFrom, stored.ProRating));
        Assert.Equal(PlanStatus.Active, stored.StatusAt(TestLedger.Now));
    }

    [Fact]
    public async Task PlanCreate_SecondDraftOrSameVersion_ThrowsConflictOnKey()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var published = LedgerScenario.Plan(tenant, "pro", 1m, 2m);
        var draft = LedgerScenario.Plan(tenant, "pro", 3m, 4m, version: 2) with { EffectiveFrom = null };
        await Ledger.Plans.CreateAsync(published, Ct);
        await Ledger.Plans.CreateAsync(draft, Ct);

        var secondDraft = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Plans.CreateAsync(LedgerScenario.Plan(tenant, "pro", 5m, 6m, version: 3) with { EffectiveFrom = null }, Ct));
        var sameVersion = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Plans.CreateAsync(LedgerScenario.Plan(tenant, "pro", 5m, 6m, version: 2), Ct));

        Assert.Equal(("key", "key"), (secondDraft.Field, sameVersion.Field));
        Assert.Equal([(1, PlanStatus.Active), (2, PlanStatus.Draft)], (await Ledger.Plans.VersionsAsync(tenant, "pro", Ct)).Select(p => (p.Version, p.StatusAt(TestLedger.Now))));
    }

    [Fact]
    public async Task FeatureCreate_ActiveKeyTaken_ThrowsConflictAndAnArchivedKeyIsFree()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var first = LedgerScenario.Feature(tenant, "api_calls", "calls") with { Filters = [new FeatureFilter("model", Tally.Billing.Meters.DataOperator.In, ["a", "b"])] };
        await Ledger.Features.CreateAsync(first, Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Features.CreateAsync(LedgerScenario.Feature(tenant, "api_calls", "calls"), Ct));
        Assert.True(await Ledger.Features.ArchiveAsync(tenant, first.Id, TestLedger.Now.AddHours(1), Ct));
        var second = LedgerScenario.Feature(tenant, "api_calls", "other");
        await Ledger.Features.CreateAsync(second, Ct);

        Assert.Equal("key", conflict.Field);
        Assert.Equal(second, await Ledger.Features.GetAsync(tenant, "api_calls", Ct));
        Assert.Equal(first with { ArchivedAt = TestLedger.Now.AddHours(1), UpdatedAt = TestLedger.Now.AddHours(1) }, await Ledger.Features.GetAsync(tenant, first.Id, Ct));
        Assert.False(await Ledger.Features.ArchiveAsync(tenant, first.Id, TestLedger.Now, Ct));
    }

    [Fact]
    public async Task CustomerUpdateAndDelete_ReplaceAndFreeSubjects()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var alice = LedgerScenario.Customer(tenant, "alice", "a1", "a2") with { Currency = null };
        await Ledger.Customers.CreateAsync(alice, Ct);
        var updated = alice with { Name = "Alice Ltd", SubjectKeys = ["a2", "a3"], PrimaryEmail = "billing@alice.test", Metadata = new Dictionary<string, string> { ["tier"] = "gold" }, BillingAddress = new Tally.Billing.Customers.Address("DE", "10115", null, "Berlin", "Main St 1", null, null), UpdatedAt = TestLedger.Now.AddMinutes(5) };

        await Ledger.Customers.UpdateAsync(updated, Ct);
        var bob = LedgerScenario.Customer(tenant, "bob", "a1");
        await Ledger.Customers.CreateAsync(bob, Ct);

        Assert.Equal(updated, await Ledger.Customers.GetAsync(tenant, "alice", Ct));
        Assert.Equal(new Dictionary<string, string> { ["a1"] = bob.Id, ["a3"] = alice.Id }, await Ledger.Customers.CustomerIdsBySubjectAsync(tenant, ["a1", "a3", "zz"], Ct));

        await Ledger.Customers.DeleteAsync(tenant, alice.Id, TestLedger.Now.AddHours(1), Ct);

        Assert.Null(await Ledger.Customers.GetAsync(tenant, alice.Id, Ct));
        Assert.Equal(["bob"], (await Ledger.Customers.ListAsync(tenant, Ct)).Select(c => c.Key));
        Assert.Equal([("alice", true), ("bob", false)], (await Ledger.Customers.ListAsync(tenant, Ct, includeDeleted: true)).Select(c => (c.Key, c.DeletedAt is not null)));
        Assert.Empty(await Ledger.Customers.CustomerIdsBySubjectAsync(tenant, ["a2", "a3"], Ct));
    }

    [Fact]
    public async Task CustomerGetMany_ManyIds_ReturnsTheLiveOnesWithTheirSubjectsAndLeavesOutDeletedAndUnknown()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var customers = Enumerable.Range(0, 1_201).Select(i => LedgerScenario.Customer(tenant, $"c{i:D4}", $"s{i}", $"t{i}")).ToList();
        foreach (var customer in customers)
        {
            await Ledger.Customers.CreateAsync(customer, Ct);
        }

        await Ledger.Customers.DeleteAsync(tenant, customers[7].Id, TestLedger.Now.AddHours(1), Ct);

        var found = await Ledger.Customers.GetManyAsync(tenant, [.. customers.Select(c => c.Id), "cus_unknown"], Ct);
        var foreign = await Ledger.Customers.GetManyAsync(other, [customers[0].Id], Ct);

        Assert.Equal(customers.Where((_, i) => i != 7).OrderBy(c => c.Id, StringComparer.Ordinal), found.OrderBy(c => c.Id, StringComparer.Ordinal));
        Assert.Empty(foreign);
    }

    [Fact]
    public async Task SubscriptionCreate_OverlappingAnother_ThrowsConflictAndWritesNothing()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var (customer, plan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, tenant);
        var feature = LedgerScenario.Feature(tenant, "input", "tokens");
        await Ledger.Features.CreateAsync(feature, Ct);
        await Ledger.Subscriptions.CreateAsync(LedgerScenario.Subscription(tenant, customer, plan, October, October.AddMonths(1)), [], null, Ct);
        var overlapping = LedgerScenario.Subscription(tenant, customer, plan, October.AddDays(20));

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Subscriptions.CreateAsync(overlapping, [Entitlement(tenant, customer, feature, October.AddDays(20))], null, Ct));
        await Ledger.Subscriptions.CreateAsync(LedgerScenario.Subscription(tenant, customer, plan, October.AddMonths(1)), [], null, Ct);

        Assert.Equal("customerId", conflict.Field);
        Assert.Equal([October, October.AddMonths(1)], (await Ledger.Subscriptions.ListForCustomerAsync(tenant, customer, Ct)).Select(s => s.ActiveFrom));
        Assert.Empty(await Ledger.Entitlements.ListForCustomerAsync(tenant, customer, includeDeleted: true, Ct));
        Assert.Equal(2, (await Ledger.Subscriptions.ListInForceAsync(tenant, October.AddDays(30), October.AddDays(32), Ct)).Count);
        Assert.Single(await Ledger.Subscriptions.ListInForceAsync(tenant, October.AddMonths(1), October.AddMonths(2), Ct));
    }

    [Fact]
    public async Task SubscriptionChange_EndsTheCurrentOneAndItsEntitlementsWhereTheNextStarts()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var (customer, plan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, tenant);
        var feature = LedgerScenario.Feature(tenant, "input", "tokens");
        await Ledger.Features.CreateAsync(feature, Ct);
        var current = LedgerScenario.Subscription(tenant, customer, plan, October);
        await Ledger.Subscriptions.CreateAsync(current, [Entitlement(tenant, customer, feature, October) with { SubscriptionId = current.Id, IssueAmount = 500m }], null, Ct);
        var change = October.AddDays(14);
        var next = LedgerScenario.Subscription(tenant, customer, plan, change);

        await Ledger.Subscriptions.CreateAsync(next, [Entitlement(tenant, customer, feature, change) with { SubscriptionId = next.Id }], current, Ct);

        Assert.Equal([(October, (DateTimeOffset?)change), (change, null)], (await Ledger.Subscriptions.ListForCustomerAsync(tenant, customer, Ct)).Select(s => (s.ActiveFrom, s.ActiveTo)));
        var entitlements = await Ledger.Entitlements.ListForCustomerAsync(tenant, customer, includeDeleted: false, Ct);
        Assert.Equal([(current.Id, October, (DateTimeOffset?)change), (next.Id, change, null)], entitlements.Select(e => (e.SubscriptionId!, e.ActiveFrom, e.ActiveTo)));
        var issued = Assert.Single(await Ledger.Entitlements.ListGrantsAsync(tenant, entitlements[0].Id, Ct));
        Assert.Equal((500m, 500m, 500m, October), (issued.Amount, issued.MinRolloverAmount, issued.MaxRolloverAmount, issued.EffectiveAt));

        await Ledger.Subscriptions.SetEndAsync(tenant, next.Id, change.AddDays(3), TestLedger.Now, Ct);
        Assert.Equal(change.AddDays(3), (await Ledger.Entitlements.GetAsync(tenant, entitlements[1].Id, Ct))!.ActiveTo);
        await Ledger.Subscriptions.SetEndAsync(tenant, next.Id, null, TestLedger.Now, Ct);
        Assert.Null((await Ledger.Entitlements.GetAsync(tenant, entitlements[1].Id, Ct))!.ActiveTo);
        Assert.Equal(change, (await Ledger.Entitlements.GetAsync(tenant, entitlements[0].Id, Ct))!.ActiveTo);
    }

    [Fact]
    public async Task BatchReads_SeveralCustomers_ReturnEachOnesSubscriptionsEntitlementsAndGrantsAndNoOtherTenants()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var (alice, plan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, tenant, "alice");
        var bob = await LedgerScenario.CustomerAsync(Ledger, tenant, "bob");
        var carol = await LedgerScenario.CustomerAsync(Ledger, tenant, "carol");
        var (intruder, intruderPlan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, other, "alice");
        var feature = LedgerScenario.Feature(tenant, "input", "tokens");
        await Ledger.Features.CreateAsync(feature, Ct);
        var otherFeature = LedgerScenario.Feature(other, "input", "tokens");
        await Ledger.Features.CreateAsync(otherFeature, Ct);
        var aliceSub = LedgerScenario.Subscription(tenant, alice, plan, October);
        var bobSub = LedgerScenario.Subscription(tenant, bob, plan, October.AddDays(3));
        await Ledger.Subscriptions.CreateAsync(aliceSub, [Entitlement(tenant, alice, feature, October) with { SubscriptionId = aliceSub.Id, IssueAmount = 100m }], null, Ct);
        await Ledger.Subscriptions.CreateAsync(bobSub, [Entitlement(tenant, bob, feature, October) with { SubscriptionId = bobSub.Id, IssueAmount = 200m }], null, Ct);
        var intruderSub = LedgerScenario.Subscription(other, intruder, intruderPlan, October);
        await Ledger.Subscriptions.CreateAsync(intruderSub, [Entitlement(other, intruder, otherFeature, October) with { SubscriptionId = intruderSub.Id, IssueAmount = 900m }], null, Ct);

        var subscriptions = await Ledger.Subscriptions.ListForCustomersAsync(tenant, [alice, bob, carol, intruder], Ct);
        var entitlements = await Ledger.Entitlements.ListForCustomersAsync(tenant, [alice, bob, carol, intruder], Ct);
        var grants = await Ledger.Entitlements.ListGrantsOfAsync(tenant, [.. entitlements.Select(e => e.Id)], Ct);

        Assert.Equal([(alice, aliceSub.Id), (bob, bobSub.Id)], subscriptions.Select(s => (s.CustomerId, s.Id)).OrderBy(x => x.Item2, StringComparer.Ordinal).OrderBy(x => x.CustomerId == alice ? 0 : 1));
        Assert.Equal([(alice, aliceSub.Id), (bob, bobSub.Id)], entitlements.Select(e => (e.CustomerId, e.SubscriptionId!)).OrderBy(x => x.CustomerId == alice ? 0 : 1));
        Assert.Equal([100m, 200m], grants.Select(g => g.Amount).Order());
        Assert.Empty(await Ledger.Entitlements.ListGrantsOfAsync(tenant, [], Ct));
        Assert.Empty(await Ledger.Entitlements.ListGrantsOfAsync(other, [.. entitlements.Select(e => e.Id)], Ct));
    }

    [Fact]
    public async Task EntitlementsAndGrants_OverlapRefusedGrantsVoidedResetsKept()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var feature = LedgerScenario.Feature(tenant, "input", "tokens");
        await Ledger.Features.CreateAsync(feature, Ct);
        var entitlement = Entitlement(tenant, customer, feature, October);
        var grant = new Grant(tenant, Ids.NewUlid(TestLedger.Now), entitlement.Id, 1234.5678m, 3, October.AddDays(1), TestLedger.Now)
        {
            Expiration = new GrantExpiration(ExpirationUnit.Month, 2),
            MaxRolloverAmount = 100m,
            MinRolloverAmount = 10m,
            Recurrence = new RecurringPeriod(new IsoDuration(0, 7, TimeSpan.Zero), October),
            Metadata = new Dictionary<string, string> { ["source"] = "promo" },
        };
        await Ledger.Entitlements.CreateAsync(entitlement, [grant], null, Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.Entitlements.CreateAsync(Entitlement(tenant, customer, feature, October.AddDays(3)), [], null, Ct));
        await Ledger.Entitlements.AddResetAsync(tenant, entitlement.Id, October.AddDays(9), Ct);
        await Ledger.Entitlements.AddResetAsync(tenant, entitlement.Id, October.AddDays(9), Ct);
        Assert.True(await Ledger.Entitlements.VoidGrantAsync(tenant, grant.Id, October.AddDays(10), Ct));
        Assert.False(await Ledger.Entitlements.VoidGrantAsync(tenant, grant.Id, October.AddDays(11), Ct));

        Assert.Equal("featureKey", conflict.Field);
        var stored = await Ledger.Entitlements.GetAsync(tenant, entitlement.Id, Ct);
        Assert.Equal(entitlement with { Resets = stored!.Resets, Metadata = stored.Metadata }, stored);
        Assert.Equal([October.AddDays(9)], stored.Resets);
        Assert.Equal("pro", stored.Metadata!["plan"]);
        var storedGrant = Assert.Single(await Ledger.Entitlements.ListGrantsAsync(tenant, entitlement.Id, Ct));
        Assert.Equal(grant with { VoidedAt = October.AddDays(10), UpdatedAt = October.AddDays(10), Metadata = storedGrant.Metadata }, storedGrant);
        Assert.Equal(October.AddDays(1).AddMonths(2), storedGrant.ExpiresAt);
        Assert.Equal("promo", storedGrant.Metadata!["source"]);
        var replacement = Entitlement(tenant, customer, feature, October.AddDays(12));
        await Ledger.Entitlements.CreateAsync(replacement, [], stored, Ct);
        Assert.Equal([replacement.Id], (await Ledger.Entitlements.ListForCustomerAsync(tenant, customer, includeDeleted: false, Ct)).Select(e => e.Id));
    }

    [Fact]
    public async Task NotificationEvent_SameDedupeKey_IsStoredOnceAndDeliveriesRecordAttempts()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var channel = new NotificationChannel(tenant, Ids.NewUlid(TestLedger.Now), "ops", "http://127.0.0.1:9/hook", false, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==", TestLedger.Now);
        await Ledger.Notifications.SaveChannelAsync(channel, Ct);
        var rule = new NotificationRule(tenant, Ids.NewUlid(TestLedger.Now), "80%", NotificationRule.BalanceThresholdType, false, [channel.Id], [new BalanceThreshold(80m, ThresholdKind.UsagePercentage, "usage_percentage")], [], TestLedger.Now);
        await Ledger.Notifications.SaveRuleAsync(rule, Ct);
        var first = new NotificationEvent(tenant, Ids.NewUlid(TestLedger.Now), rule.Id, rule.Type, "{\"a\":1}", "rule/ent/2026-11-01/80", TestLedger.Now);

        Assert.True(await Ledger.Notifications.CreateEventAsync(first, [channel.Id], TestLedger.Now, Ct));
        Assert.False(await Ledger.Notifications.CreateEventAsync(first with { Id = Ids.NewUlid(TestLedger.Now) }, [channel.Id], TestLedger.Now, Ct));
        var claimed = await Ledger.Notifications.ClaimDueAsync(TestLedger.Now, TestLedger.Now.AddMinutes(2), 10, Ct);
        var claimedAgain = await Ledger.Notifications.ClaimDueAsync(TestLedger.Now.AddMinutes(1), TestLedger.Now.AddMinutes(3), 10, Ct);
        var attempt = new DeliveryAttempt(TestLedger.Now, DeliveryState.Failed, 500, "boom", 12, channel.Url);
        await Ledger.Notifications.RecordAttemptAsync(tenant, first.Id, channel.Id, attempt, DeliveryState.Pending, "the endpoint answered 500", TestLedger.Now.AddSeconds(5), Ct);

        Assert.Equal([first.Id], (await Ledger.Notifications.ListEventsAsync(tenant, Ct)).Select(e => e.Id));
        Assert.Equal([(first.Id, channel.Id, DeliveryState.Sending)], claimed.Select(d => (d.EventId, d.ChannelId, d.State)));
        Assert.Empty(claimedAgain);
        var delivery = Assert.Single(await Ledger.Notifications.DeliveriesAsync(tenant, first.Id, Ct));
        Assert.Equal((DeliveryState.Pending, "the endpoint answered 500", TestLedger.Now.AddSeconds(5), attempt), (delivery.State, delivery.Reason, delivery.NextAttemptAt, Assert.Single(delivery.Attempts)));
        Assert.Equal(rule.Thresholds, (await Ledger.Notifications.GetRuleAsync(tenant, rule.Id, Ct))!.Thresholds);
    }

    [Fact]
    public async Task GrainState_WriteWithStaleETag_ReturnsNullAndKeepsTheNewerState()
    {
        var first = await Ledger.GrainStates.WriteAsync("rating", "customer/1", "{\"n\":1}", null, TestLedger.Now, Ct);
        var second = await Ledger.GrainStates.WriteAsync("rating", "customer/1", "{\"n\":2}", first, TestLedger.Now, Ct);

        Assert.Null(await Ledger.GrainStates.WriteAsync("rating", "customer/1", "{\"n\":3}", first, TestLedger.Now, Ct));
        Assert.Null(await Ledger.GrainStates.WriteAsync("rating", "customer/1", "{\"n\":4}", null, TestLedger.Now, Ct));
        Assert.Equal(("{\"n\":2}", second!), await Ledger.GrainStates.ReadAsync("rating", "customer/1", Ct));
        await Ledger.GrainStates.ClearAsync("rating", "customer/1", Ct);
        Assert.Null(await Ledger.GrainStates.ReadAsync("rating", "customer/1", Ct));
    }

    private static Entitlement Entitlement(string tenant, string customer, Feature feature, DateTimeOffset from) =>
        new(tenant, Ids.NewUlid(TestLedger.Now), EntitlementType.Metered, customer, feature.Id, feature.Key, from, null, TestLedger.Now)
        {
            UsagePeriod = new RecurringPeriod(IsoDuration.Month, October),
            MeasureUsageFrom = from,
            IsSoftLimit = true,
            Metadata = new Dictionary<string, string> { ["plan"] = "pro" },
        };
}
