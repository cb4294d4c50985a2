using Tally.Billing.Calendar;
using Tally.Billing.Entitlements;
using static Tally.Tests.Rating.RatingScenario;

namespace Tally.Tests.Rating;

/// <summary>The burn-down order, rollover at resets, recurrence, voiding, soft limits and entitlement values, with exact numbers.</summary>
public sealed class GrantBurnDownTests
{
    [Fact]
    public void Order_PriorityThenSoonestExpiryThenEarliestEffective()
    {
        var grants = new[]
        {
            Grant("never", 10m, From, priority: 2),
            Grant("late", 10m, From.AddDays(2), priority: 2, expiration: new GrantExpiration(ExpirationUnit.Month, 1)),
            Grant("soon", 10m, From, priority: 2, expiration: new GrantExpiration(ExpirationUnit.Day, 20)),
            Grant("first", 10m, From.AddDays(5), priority: 1),
        };

        Assert.Equal(["first", "soon", "late", "never"], grants.Order(GrantBurnDown.Order).Select(g => g.Id));
    }

    [Fact]
    public void Run_TwoPriorities_BurnsTheLowerNumberFirst()
    {
        var result = GrantBurnDown.Run(Metered(), [Grant("g2", 100m, From, priority: 2), Grant("g1", 50m, From, priority: 1)], From.AddDays(10), From.AddDays(10), (_, _) => 120m);

        Assert.Equal(new Dictionary<string, decimal> { ["g1"] = 0m, ["g2"] = 30m }, result.Balances);
        Assert.Equal((120m, 0m, 30m), (result.UsageSinceReset, result.OverageSinceReset, result.Balance));
        Assert.Equal(new Dictionary<string, decimal> { ["g1"] = 50m, ["g2"] = 70m }, Assert.Single(result.Segments).ByGrant);
    }

    [Fact]
    public void Run_UsageBeyondTheGrants_IsOverageAndValueDeniesAccessUnlessSoft()
    {
        var grants = new[] { Grant("g1", 100m, From) };
        var now = From.AddDays(3);

        var hard = EntitlementValue.Of(Metered(), now, GrantBurnDown.Run(Metered(), grants, now, now, (_, _) => 130m));
        var soft = EntitlementValue.Of(Metered(soft: true), now, GrantBurnDown.Run(Metered(soft: true), grants, now, now, (_, _) => 130m));

        Assert.Equal((false, 0m, 130m, 30m, 100m), (hard.HasAccess, hard.Balance, hard.Usage, hard.Overage, hard.TotalAvailableGrantAmount));
        Assert.True(soft.HasAccess);
    }

    [Fact]
    public void Run_AtReset_RollsBalancesOverBetweenMinAndMax()
    {
        var keep = Grant("keep", 100m, From.AddMonths(-1)) with { MaxRolloverAmount = 50m, MinRolloverAmount = 0m };
        var refill = Grant("refill", 30m, From.AddMonths(-1)) with { MaxRolloverAmount = 30m, MinRolloverAmount = 30m };
        var lapse = Grant("lapse", 20m, From.AddMonths(-1));
        var now = From.AddDays(1);

        // October: 10 used, from "keep" (equal priorities, no expiry, same start: by id, keep < lapse < refill).
        var result = GrantBurnDown.Run(Metered(), [keep, refill, lapse], now, now, (from, _) => from < From ? 10m : 0m);

        Assert.Equal(From.AddMonths(-1), GrantBurnDown.StartFor(Metered(), [keep, refill, lapse], now));
        Assert.Equal(new Dictionary<string, decimal> { ["keep"] = 50m, ["refill"] = 30m, ["lapse"] = 0m }, result.Balances);
        Assert.Equal((From, 0m), (result.LastReset, result.UsageSinceReset));
    }

    [Fact]
    public void StartFor_GrantsThatRollOverToFixedAmounts_StartsAtTheLatestReset()
    {
        var issue = Grant("issue", 1000m, From.AddMonths(-5)) with { MaxRolloverAmount = 1000m, MinRolloverAmount = 1000m };

        Assert.Equal(From, GrantBurnDown.StartFor(Metered(from: From.AddMonths(-6)), [issue], From.AddDays(12)));
        Assert.Equal([(From, From.AddDays(12))], GrantBurnDown.Windows(Metered(from: From.AddMonths(-6)), [issue], From.AddDays(12), From.AddDays(12)));
    }

    [Fact]
    public void Run_RecurringGrant_IsToppedUpAtEachRecurrence()
    {
        var weekly = Grant("weekly", 10m, From) with { Recurrence = new RecurringPeriod(new IsoDuration(0, 7, TimeSpan.Zero), From) };
        var now = From.AddDays(8);

        var result = GrantBurnDown.Run(Metered(), [weekly], now, now, (from, _) => from < From.AddDays(7) ? 25m : 4m);

        Assert.Equal([(From, From.AddDays(7), 25m, 10m, 15m), (From.AddDays(7), now, 4m, 4m, 0m)], result.Segments.Select(s => (s.From, s.To, s.Usage, s.Covered, s.Overage)));
        Assert.Equal(6m, result.Balance);
    }

    [Fact]
    public void Run_VoidedGrant_StopsCoveringFromTheVoid()
    {
        var voided = Grant("g1", 100m, From) with { VoidedAt = From.AddDays(2) };
        var now = From.AddDays(4);

        var result = GrantBurnDown.Run(Metered(), [voided], now, now, (from, _) => from < From.AddDays(2) ? 30m : 20m);

        Assert.Equal([(30m, 0m), (0m, 20m)], result.Segments.Select(s => (s.Covered, s.Overage)));
        Assert.Empty(result.Balances);
    }

    [Fact]
    public void Run_ManualReset_RestartsUsageAndRollsOver()
    {
        var entitlement = Metered() with { Resets = [From.AddDays(10)] };
        var grant = Grant("g1", 100m, From) with { MaxRolloverAmount = 100m };
        var now = From.AddDays(12);

        var result = GrantBurnDown.Run(entitlement, [grant], now, now, (from, _) => from < From.AddDays(10) ? 30m : 5m);

        Assert.Equal((From.AddDays(10), 5m, 65m), (result.LastReset, result.UsageSinceReset, result.Balance));
        Assert.Equal((From.AddDays(10), From.AddMonths(1)), entitlement.CurrentUsagePeriod(now));
    }

    [Fact]
    public void Value_BooleanAndStatic_GiveAccessWhileInForce()
    {
        var boolean = Metered() with { Type = EntitlementType.Boolean };
        var config = Metered() with { Type = EntitlementType.Static, Config = "{\"seats\":5}", ActiveTo = From };

        Assert.Equal(new EntitlementValue(true, null, null, null, null, null, null), EntitlementValue.Of(boolean, From, null));
        Assert.Equal(EntitlementValue.NoAccess, EntitlementValue.Of(config, From, null));
        Assert.Equal("{\"seats\":5}", EntitlementValue.Of(config, From.AddDays(-1), null).Config);
    }
}
