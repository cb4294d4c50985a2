using System.Net;
using Microsoft.Playwright;

namespace Tally.Browser;

/// <summary>
/// Plans in the finance console: a new plan with a flat fee and graduated usage tiers typed in by keyboard and
/// mouse, refused by the API (a negative amount, a bounded last tier) with its messages next to those inputs
/// and nothing stored, then created, published and listed; the next version of a published plan drafted, a bad
/// edit of it refused and not stored, then published (the old version archived) and archived in turn; a draft
/// deleted.
/// The rating stage's clock stands at <see cref="DashboardServer.Now"/>, so publication dates are exact.
/// </summary>
public sealed partial class FinanceConsoleTests
{
    private const string TeamPhases =
        """[{"key":"default","name":"Default","duration":null,"rateCards":[""" +
        """{"type":"flat_fee","key":"platform","name":"Platform fee","billingCadence":"P1M","price":{"type":"flat","amount":"49","paymentTerm":"in_advance"}},""" +
        """{"type":"usage_based","key":"tokens","name":"Tokens","featureKey":"tokens","billingCadence":"P1M","price":{"type":"tiered","mode":"graduated","tiers":[""" +
        """{"upToAmount":"1000","flatPrice":null,"unitPrice":{"type":"unit","amount":"0"}},""" +
        """{"upToAmount":"10000","flatPrice":{"type":"flat","amount":"5"},"unitPrice":{"type":"unit","amount":"0.01"}},""" +
        """{"flatPrice":null,"unitPrice":{"type":"unit","amount":"0.005"}}]}}]}]""";

    [Fact]
    public async Task Plans_NewPlanWithFlatFeeAndGraduatedTiers_RefusedFieldsShownNothingStoredThenCreatedPublishedAndListed()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-plan-new");
        var page = await server.NewPageAsync();
        await Accessibility.SignInAsync(page, scenario.Key, "/console/plans");
        await page.GetByRole(AriaRole.Link, new() { Name = "New plan" }).ClickAsync();
        await Assertions.Expect(Heading(page, "New plan")).ToBeFocusedAsync();

        // The plan by keyboard: key, past the currency (USD already), the name.
        await page.GetByLabel("Plan key").FocusAsync();
        await page.Keyboard.TypeAsync("team");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("Currency")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByLabel("Currency")).ToHaveValueAsync("USD");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Team");

        // A flat fee, by keyboard from the button on: the new card's first control takes the focus.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add flat fee" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var fee = page.GetByRole(AriaRole.Group, new() { Name = "Rate card 1 · flat fee" });
        await Assertions.Expect(fee.GetByLabel("Feature")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Platform fee");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("platform");
        await fee.GetByLabel("Amount (USD)").FillAsync("-49");

        // Usage in graduated tiers, by mouse: the feature names the card; the last tier is bounded by mistake.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add usage-based price" }).ClickAsync();
        var usage = page.GetByRole(AriaRole.Group, new() { Name = "Rate card 2 · usage-based" });
        await usage.GetByLabel("Feature").SelectOptionAsync("tokens");
        await Assertions.Expect(usage.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Tokens");
        await Assertions.Expect(usage.GetByLabel("Key", new() { Exact = true })).ToHaveValueAsync("tokens");
        await usage.GetByLabel("Price", new() { Exact = true }).SelectOptionAsync("graduated");
        await usage.GetByRole(AriaRole.Button, new() { Name = "Add tier" }).ClickAsync();
        await Assertions.Expect(Tier(usage, 3).GetByLabel("Up to (units)")).ToBeFocusedAsync();
        await FillTierAsync(usage, 1, "1000", "0", "");
        await FillTierAsync(usage, 2, "10000", "0.01", "5");
        await FillTierAsync(usage, 3, "50000", "0.005", "");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Tally refused this plan; the 2 fields marked below say what to fix.");
        await Assertions.Expect(page.GetByTestId("plan-phases-0-rateCards-0-price-amount-error")).ToHaveTextAsync("is -49; it must be at least 0.");
        await Assertions.Expect(page.GetByTestId("plan-phases-0-rateCards-1-price-tiers-2-upToAmount-error")).ToHaveTextAsync("must be left out on the last tier, which has no upper bound.");
        await Assertions.Expect(fee.GetByLabel("Amount (USD)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(fee.GetByLabel("Amount (USD)")).ToBeFocusedAsync();
        await Assertions.Expect(Tier(usage, 3).GetByLabel("Up to (units)")).ToHaveAttributeAsync("aria-describedby", "plan-phases-0-rateCards-1-price-tiers-2-upToAmount-error");
        await Assertions.Expect(page.Locator("[aria-invalid='true']")).ToHaveCountAsync(2);
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans?key=team", scenario.Key)).GetProperty("totalCount").GetInt32());
        await Screenshots.TakeAsync(page, "console-plan-error.png");
        await AssertAccessibleAsync(page, "new plan with errors");

        await fee.GetByLabel("Amount (USD)").FillAsync("49");
        await Tier(usage, 3).GetByLabel("Up to (units)").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();

        await Assertions.Expect(Heading(page, "Team v1")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("plan-notice")).ToHaveTextAsync("Created Team v1 as a draft: publish it to offer it to customers.");
        await Assertions.Expect(page.GetByTestId("plan-in-force")).ToHaveTextAsync("not published");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-notice")).ToHaveTextAsync("Published Team v1: new subscriptions get it from 2026-06-15 12:00 UTC.");
        await Assertions.Expect(page.GetByTestId("plan-in-force")).ToHaveTextAsync("2026-06-15 to now");
        await Assertions.Expect(page.Locator("ul.rate-cards li")).ToHaveTextAsync(
            ["Platform fee: flat 49 USD", "Tokens (tokens): graduated tiers: up to 1000 at 0; up to 10000 at 0.01 + 5 flat; beyond at 0.005"]);
        await AssertAccessibleAsync(page, "published plan");

        await page.GetByRole(AriaRole.Link, new() { Name = "All plans" }).ClickAsync();
        var team = page.Locator("section[data-plan='team']");
        await Assertions.Expect(team.Locator("h2")).ToHaveTextAsync("Team team");
        await Assertions.Expect(team.Locator("tbody th")).ToHaveTextAsync(["v1"]);
        await Assertions.Expect(team.Locator("tbody td").Nth(0)).ToHaveTextAsync("active");
        await Assertions.Expect(team.Locator("tbody td").Nth(1)).ToHaveTextAsync("USD");
        await Assertions.Expect(team.Locator("tbody td").Nth(2)).ToHaveTextAsync("2026-06-15 to now");
        await Assertions.Expect(team.Locator("tbody li")).ToHaveTextAsync(
            ["Platform fee: flat 49 USD", "Tokens (tokens): graduated tiers: up to 1000 at 0; up to 10000 at 0.01 + 5 flat; beyond at 0.005"]);
        await Screenshots.TakeAsync(page, "console-plans.png");

        var stored = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans/team", scenario.Key);
        Assert.Equal(
            ("team", 1, "Team", "USD", "active", "2026-06-15T12:00:00Z"),
            (stored.GetProperty("key").GetString(), stored.GetProperty("version").GetInt32(), stored.GetProperty("name").GetString(), stored.GetProperty("currency").GetString(),
             stored.GetProperty("status").GetString(), stored.GetProperty("effectiveFrom").GetString()));
        Assert.Equal(TeamPhases, stored.GetProperty("phases").GetRawText());
    }

    [Fact]
    public async Task Plans_NextVersionOfPublishedPlan_RefusedEditStoresNothingThenPublishedOverTheOldArchivedAndADraftDeleted()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-plan-next");
        var v1Phases = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans/pro", scenario.Key)).GetProperty("phases").GetRawText();
        var page = await server.NewPageAsync();
        await Accessibility.SignInAsync(page, scenario.Key, "/console/plans");

        await page.Locator("section[data-plan='pro']").GetByRole(AriaRole.Link, new() { Name = "v1" }).ClickAsync();
        await Assertions.Expect(Heading(page, "pro v1")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("ul.rate-cards li")).ToHaveTextAsync(["tokens (tokens): 10 USD per unit"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "New version" }).ClickAsync();

        await Assertions.Expect(Heading(page, "pro v2")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("plan-notice")).ToHaveTextAsync("Drafted v2 from v1: change it, then publish it. Subscriptions stay on the version they have.");
        var v2 = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var card = page.GetByRole(AriaRole.Group, new() { Name = "Rate card 1 · usage-based" });
        var amount = card.GetByLabel("Amount per unit (USD)");
        await Assertions.Expect(amount).ToHaveValueAsync("10");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save draft" })).ToBeDisabledAsync();

        await amount.FillAsync("-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-phases-0-rateCards-0-price-amount-error")).ToHaveTextAsync("is -1; it must be at least 0.");
        await Assertions.Expect(amount).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Tally refused this plan; the field marked below says what to fix.");
        var draft = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/plans/{v2}", scenario.Key);
        Assert.Equal(("draft", v1Phases), (draft.GetProperty("status").GetString(), draft.GetProperty("phases").GetRawText()));
        await Screenshots.TakeAsync(page, "console-plan-version-error.png");
        await AssertAccessibleAsync(page, "plan version with an error");

        await amount.FillAsync("12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and publish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-notice")).ToHaveTextAsync("Published pro v2: new subscriptions get it from 2026-06-15 12:00 UTC.");
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Versions of pro" }).GetByRole(AriaRole.Link)).ToHaveTextAsync(["v2 active", "v1 archived"]);
        await Assertions.Expect(page.Locator("ul.rate-cards li")).ToHaveTextAsync(["tokens (tokens): 12 USD per unit"]);
        var versions = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans?key=pro", scenario.Key)).GetProperty("items").EnumerateArray()
            .Select(p => (p.GetProperty("version").GetInt32(), p.GetProperty("status").GetString(), (p.TryGetProperty("effectiveTo", out var to) ? to.GetString() : ""), p.GetProperty("phases")[0].GetProperty("rateCards")[0].GetProperty("price").GetProperty("amount").GetString()))
            .ToList();
        Assert.Equal([(1, "archived", "2026-06-15T12:00:00Z", "10"), (2, "active", "", "12")], versions);
        await Screenshots.TakeAsync(page, "console-plan-version.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Archive…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Archive v2" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-notice")).ToHaveTextAsync("Archived pro v2: no new subscription starts on it; those on it keep it.");
        await Assertions.Expect(page.GetByTestId("plan-in-force")).ToHaveTextAsync("2026-06-15 to 2026-06-15");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Archive…" })).ToHaveCountAsync(0);
        Assert.Equal("archived", (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/plans/{v2}", scenario.Key)).GetProperty("status").GetString());

        // A draft nobody wants: drafted, then deleted; the list shows what is left.
        await page.GetByRole(AriaRole.Button, new() { Name = "New version" }).ClickAsync();
        await Assertions.Expect(Heading(page, "pro v3")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete draft…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete v3" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Plans")).ToBeVisibleAsync();
        // (By its test id: while the list loads, "Loading the plans…" is a status too.)
        await Assertions.Expect(page.GetByTestId("plans-notice")).ToHaveTextAsync("Deleted the draft pro v3.");
        await Assertions.Expect(page.Locator("section[data-plan='pro'] tbody th")).ToHaveTextAsync(["v2", "v1"]);
        await Assertions.Expect(page.Locator("section[data-plan='pro'] tbody td:nth-child(2)")).ToHaveTextAsync(["archived", "archived"]);
        Assert.Equal(2, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans?key=pro", scenario.Key)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Phone_390PixelsWide_PlanEditorWithTiersFitsWithoutSideScrolling()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-plan-phone");
        var page = await server.NewPageAsync(390, 844);
        await Accessibility.SignInAsync(page, scenario.Key, "/console/plans/new");
        await Assertions.Expect(Heading(page, "New plan")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add usage-based price" }).ClickAsync();
        var usage = page.GetByRole(AriaRole.Group, new() { Name = "Rate card 1 · usage-based" });
        await usage.GetByLabel("Feature").SelectOptionAsync("tokens");
        await usage.GetByLabel("Price", new() { Exact = true }).SelectOptionAsync("volume");
        await FillTierAsync(usage, 1, "1000", "0.02", "");
        await FillTierAsync(usage, 2, "", "0.01", "");

        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The plan editor scrolls sideways at 390 px.");
        await Screenshots.TakeAsync(page, "console-plan-phone.png");
        await AssertAccessibleAsync(page, "plan editor at 390 px");
    }

    private static ILocator Tier(ILocator card, int number) => card.GetByRole(AriaRole.Group, new() { Name = $"Tier {number}", Exact = true });

    private static async Task FillTierAsync(ILocator card, int number, string upTo, string unit, string flat)
    {
        var tier = Tier(card, number);
        await tier.GetByLabel("Up to (units)").FillAsync(upTo);
        await tier.GetByLabel("Unit price (USD)").FillAsync(unit);
        await tier.GetByLabel("Flat price (USD)").FillAsync(flat);
    }
}
