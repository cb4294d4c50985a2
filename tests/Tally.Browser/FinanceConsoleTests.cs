using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tally.Browser;

/// <summary>
/// The finance console in Chromium against a whole server whose closes run at once (grace 0, approval above
/// 1,000): a dry run and a real close of May 2026 (the browser's "last month") followed live, the approvals
/// queue (approve, reject with a reason), a failed customer retried, an invoice's lineage followed to its
/// events, the CSV export, plans created, published, versioned and archived (FinanceConsoleTests.Plans.cs),
/// and the API's own validation messages shown next to the fields of a bad edit.
/// </summary>
public sealed partial class FinanceConsoleTests(FinanceServer server, ITestOutputHelper output) : IClassFixture<FinanceServer>
{
    private const string Done3 = "3 of 3 done · 0 awaiting approval · 0 failed · 0 in progress · 0 waiting for data";

    [Fact]
    public async Task Close_DryRunThenCloseThenApprovals_ShowsWhatWouldBeInvoicedProgressAndTheQueue()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-close");
        await scenario.WithCustomersAsync();
        var page = await server.NewPageAsync();

        await Accessibility.SignInAsync(page, scenario.Key, "/console");
        await Assertions.Expect(Heading(page, "Close runs")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No close runs yet.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Period (month, UTC)")).ToHaveValueAsync(FinanceScenario.Period);
        await Assertions.Expect(page.GetByLabel("Dry run: rate and check only, store nothing")).ToBeCheckedAsync();
        await AssertAccessibleAsync(page, "close runs, empty");

        // A dry run: rated and checked, nothing stored.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start dry run" }).ClickAsync();
        await Assertions.Expect(Heading(page, $"Dry run of {FinanceScenario.Period}")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("run-progress")).ToHaveTextAsync(Done3);
        var dry = page.GetByTestId("dry-run-result");
        await Assertions.Expect(dry.Locator("tbody th")).ToHaveTextAsync(["Acme Corp", "Globex", "Initech"]);
        await Assertions.Expect(dry.Locator("tbody td:nth-child(3)")).ToHaveTextAsync(["tokens: 150 → 1,500.00", "tokens: 120 → 1,200.00", "tokens: 30 → 300.00"]);
        await Assertions.Expect(dry.Locator("tbody td.number")).ToHaveTextAsync(["1,500.00", "1,200.00", "300.00"]);
        Assert.Empty(await scenario.InvoicesAsync());
        await AssertAccessibleAsync(page, "dry run");

        // The real close: Initech is issued at once, Acme and Globex wait for a person.
        await page.GetByRole(AriaRole.Link, new() { Name = "All close runs" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("close-runs").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("close-runs").Locator("tbody td").Nth(0)).ToHaveTextAsync("Close (dry run)");
        await page.GetByLabel("Dry run: rate and check only, store nothing").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start close" }).ClickAsync();
        await Assertions.Expect(Heading(page, $"Close of {FinanceScenario.Period}")).ToBeVisibleAsync();
        var runUrl = page.Url;
        await Assertions.Expect(page.GetByTestId("run-progress")).ToHaveTextAsync("1 of 3 done · 2 awaiting approval · 0 failed · 0 in progress · 0 waiting for data");
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuetext", "1 of 3 done");
        await Assertions.Expect(TaskCells(page, scenario.CustomerIds["acme"])).ToHaveTextAsync(["approval", "waiting", "0", "View invoice", "", "History"]);
        await Assertions.Expect(TaskCells(page, scenario.CustomerIds["initech"])).ToHaveTextAsync(["done", "done", "0", "View invoice", "", "History"]);
        await Assertions.Expect(page.GetByTestId("approvals-count")).ToHaveTextAsync(", waiting: 2");

        // The queue: approve Acme; reject Globex, first without a reason (the API's message), then with one.
        await page.GetByRole(AriaRole.Link, new() { Name = "review the approvals" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Approvals")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("approvals").Locator("article h2")).ToHaveTextAsync(
            [$"Acme Corp · {FinanceScenario.Period} · $1,500.00", $"Globex · {FinanceScenario.Period} · $1,200.00"]);
        await Screenshots.TakeAsync(page, "console-approvals.png");
        await AssertAccessibleAsync(page, "approvals");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve Acme Corp" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("approvals-notice")).ToHaveTextAsync("Approved Acme Corp's invoice of $1,500.00: the close run issues it in a moment.");
        await Assertions.Expect(page.GetByTestId("approvals").Locator("article")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject Globex" }).ClickAsync();
        var reason = page.GetByLabel("Why is Globex's invoice rejected?");
        await Assertions.Expect(page.GetByTestId("approvals").Locator(".field-error")).ToHaveTextAsync("is required: say in 1-1024 characters why the invoice is voided.");
        await Assertions.Expect(reason).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertAccessibleAsync(page, "reject with an error");
        await reason.FillAsync("Usage counted twice by the customer's retry bug");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject Globex" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("approvals-notice")).ToHaveTextAsync("Rejected Globex's invoice of $1,200.00: the draft is voided.");
        await Assertions.Expect(page.GetByText("Nothing waits for approval.")).ToBeVisibleAsync();

        // Back on the run: everyone done, Acme issued after Initech, Globex voided with the reason.
        await page.GotoAsync(runUrl);
        await Assertions.Expect(page.GetByTestId("run-progress")).ToHaveTextAsync(Done3);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Progress completed" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "History of Globex" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("history").Locator("tbody th")).ToHaveTextAsync(["created", "usage frozen", "rated", "checks passed", "approval required", "rejected"]);
        await Screenshots.TakeAsync(page, "console-close-run.png");
        await AssertAccessibleAsync(page, "close run");
        var invoices = (await scenario.InvoicesAsync()).ToDictionary(i => i.GetProperty("customer").GetProperty("key").GetString()!);
        Assert.Equal(("INV-000002", "issued"), (invoices["acme"].GetProperty("number").GetString(), invoices["acme"].GetProperty("status").GetString()));
        Assert.Equal(("INV-000001", "issued"), (invoices["initech"].GetProperty("number").GetString(), invoices["initech"].GetProperty("status").GetString()));
        Assert.Equal("voided", invoices["globex"].GetProperty("status").GetString());

        await page.GetByRole(AriaRole.Link, new() { Name = "Close runs", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("close-runs").Locator("tbody tr")).ToHaveCountAsync(2);
        await Screenshots.TakeAsync(page, "console-close-runs.png");
    }

    [Fact]
    public async Task Close_CustomerWhoseRatingOverflows_IsShownFailedWithItsErrorAndRetriedByItsButton()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-failure");
        await scenario.PublishAsync(Tally.EndToEnd.CatalogBodies.UnitPricePlan("huge", "tokens", "100000000000000000000"));
        var umbrella = await scenario.SubscribedCustomerAsync("umbrella", "Umbrella", "huge");
        await scenario.PostAndWaitAsync(("umbrella-1", "umbrella", 10_000_000_000));
        var page = await server.NewPageAsync();
        await Accessibility.SignInAsync(page, scenario.Key, "/console/close-runs");

        await page.GetByLabel("Dry run: rate and check only, store nothing").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start close" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("run-progress")).ToHaveTextAsync("0 of 1 done · 0 awaiting approval · 1 failed · 0 in progress · 0 waiting for data");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Progress needs attention" })).ToBeVisibleAsync();
        await Assertions.Expect(TaskCells(page, umbrella).Nth(0)).ToHaveTextAsync("draft");
        await Assertions.Expect(TaskCells(page, umbrella).Nth(1)).ToHaveTextAsync("parked");
        await Assertions.Expect(TaskCells(page, umbrella).Nth(4)).ToHaveTextAsync(new Regex("^RatingOverflowException"));
        await AssertAccessibleAsync(page, "failed close");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry Umbrella" }).ClickAsync();

        await Assertions.Expect(page.GetByText("Retrying Umbrella: the run picks it up again within a second.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "History of Umbrella" }).ClickAsync();
        // The same inputs overflow again: parked a second time, the retry on record between the two failures.
        await Assertions.Expect(page.GetByTestId("history").Locator("tbody th")).ToHaveTextAsync(["created", "usage frozen", "parked", "retry requested", "parked"]);
        await Assertions.Expect(TaskCells(page, umbrella).Nth(1)).ToHaveTextAsync("parked");
        await Screenshots.TakeAsync(page, "console-close-failed.png");
    }

    [Fact]
    public async Task Invoices_ClosedPeriod_ExportsTheListAsCsvExactlyAndFollowsALineToItsEvents()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-invoices");
        await scenario.WithCustomersAsync();
        await CloseThroughTheApiAsync(scenario);
        var invoices = (await scenario.InvoicesAsync()).ToDictionary(i => i.GetProperty("customer").GetProperty("key").GetString()!);
        var page = await server.NewPageAsync();

        await Accessibility.SignInAsync(page, scenario.Key, "/console/invoices");
        var table = page.GetByTestId("invoices");
        await Assertions.Expect(table.Locator("tbody th")).ToHaveTextAsync(["INV-000002", "Voided draft", "INV-000001"]);
        await Assertions.Expect(table.Locator("tbody td.number")).ToHaveTextAsync(["$1,500.00", "$1,200.00", "$300.00"]);
        await Screenshots.TakeAsync(page, "console-invoices.png");
        await AssertAccessibleAsync(page, "invoices");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        string Field(string customer, string name) => invoices[customer].GetProperty(name).GetString() ?? "";
        var period = FinanceScenario.Period;
        Assert.Equal("invoices.csv", download.SuggestedFilename);
        Assert.Equal(
            "number,invoice_id,customer_key,customer_name,period,status,currency,total,issued_at,voided_at\r\n" +
            $"INV-000002,{Field("acme", "id")},acme,Acme Corp,{period},issued,USD,1500.00,{Field("acme", "issuedAt")},\r\n" +
            $",{Field("globex", "id")},globex,Globex,{period},voided,USD,1200.00,,{Field("globex", "voidedAt")}\r\n" +
            $"INV-000001,{Field("initech", "id")},initech,Initech,{period},issued,USD,300.00,{Field("initech", "issuedAt")},\r\n",
            csv);
        Assert.NotEqual("", Field("globex", "voidedAt"));
        await Assertions.Expect(page.GetByText("Exported 3 invoices to invoices.csv.")).ToBeVisibleAsync();

        // Lineage: the line's meter, price and frozen usage, then the raw events behind it.
        await page.GetByRole(AriaRole.Link, new() { Name = "INV-000002" }).ClickAsync();
        await Assertions.Expect(Heading(page, "INV-000002 · Acme Corp")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("invoice-total")).ToHaveTextAsync("$1,500.00");
        await Assertions.Expect(page.GetByTestId("frozen-usage")).ToHaveTextAsync(new Regex(@"^150 \(events stored until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)$"));
        await Assertions.Expect(page.GetByTestId("approval")).ToHaveTextAsync(new Regex("^Held for approval; decided by .+\\.$"));
        await Assertions.Expect(page.Locator("article.lineage dd").Nth(1)).ToHaveTextAsync("150 × $10.00 = $1,500.00");
        await Screenshots.TakeAsync(page, "console-invoice.png");
        await AssertAccessibleAsync(page, "invoice lineage");
        await page.GetByTestId("events-link").ClickAsync();

        await Assertions.Expect(Heading(page, "Events")).ToBeVisibleAsync();
        Assert.StartsWith($"{server.BaseUrl}/console/events?subject=acme&", page.Url, StringComparison.Ordinal);
        var events = page.GetByTestId("events");
        await Assertions.Expect(events.Locator("tbody th")).ToHaveTextAsync(["acme-2", "acme-1"]);
        await Assertions.Expect(events.Locator("tbody td.detail")).ToHaveTextAsync(["{\"tokens\":50}", "{\"tokens\":100}"]);
        await Screenshots.TakeAsync(page, "console-events.png");
        await AssertAccessibleAsync(page, "events");

        // An invoice that is not there: the API's answer and what to do.
        await page.GotoAsync("/console/invoices/inv_missing");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Could not load the invoice and its lineage: Not found");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No invoice 'inv_missing' is visible to this credential; check the id or key.");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Try again" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Invoice_TieredLine_DescribesItsTiersBesideTheLineWithoutAUnitPrice()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-tiered");
        await scenario.PublishAsync(System.Text.Json.JsonDocument.Parse("""
            {"key":"tiered","name":"Tiered","currency":"USD","billingCadence":"P1M","phases":[{"key":"default","name":"Default","duration":null,"rateCards":[
             {"type":"usage_based","key":"tokens","name":"Tokens","featureKey":"tokens","billingCadence":"P1M","price":{"type":"tiered","mode":"graduated","tiers":[
              {"upToAmount":"100","unitPrice":{"type":"unit","amount":"0"}},{"flatPrice":{"type":"flat","amount":"5"},"unitPrice":{"type":"unit","amount":"2"}}]}}]}]}
            """).RootElement);
        await scenario.SubscribedCustomerAsync("umbrella", "Umbrella", "tiered");
        await scenario.PostAndWaitAsync(("umbrella-1", "umbrella", 150));
        var run = await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", scenario.Key, new { period = FinanceScenario.Period });
        await Tally.EndToEnd.Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{run.GetProperty("id").GetString()}", scenario.Key)).GetProperty("status").GetString(), TimeSpan.FromSeconds(60));
        var invoice = Assert.Single(await scenario.InvoicesAsync());
        var page = await server.NewPageAsync();

        await Accessibility.SignInAsync(page, scenario.Key, $"/console/invoices/{invoice.GetProperty("id").GetString()}");

        // 100 free, then 50 at 2 and the second tier's flat 5.
        var line = page.GetByTestId("invoice-lines").Locator("tbody tr");
        await Assertions.Expect(line.Locator("th")).ToHaveTextAsync("Tokens (graduated tiers: up to 100 at 0; beyond at 2 + 5 flat)");
        await Assertions.Expect(line.Locator("td")).ToHaveTextAsync(["150", "", "$105.00"]);
        await Assertions.Expect(page.GetByTestId("invoice-total")).ToHaveTextAsync("$105.00");
    }

    [Fact]
    public async Task Catalog_BadCustomerAndSubscriptionEdits_ShowTheApisMessageNextToTheField()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-catalog");
        await scenario.WithCustomersAsync();
        var page = await server.NewPageAsync();
        await Accessibility.SignInAsync(page, scenario.Key, "/console/plans");

        var pro = page.Locator("section[data-plan='pro'] tbody tr");
        await Assertions.Expect(pro.Locator("th")).ToHaveTextAsync("v1");
        await Assertions.Expect(pro.Locator("td")).ToHaveTextAsync([new Regex("^active$"), new Regex("^USD$"), new Regex("^2026-06-15 to now$"), new Regex(@"^tokens \(tokens\): 10 USD per unit$")]);
        await Assertions.Expect(page.Locator("section[data-plan='pro_eur'] tbody td").Nth(1)).ToHaveTextAsync("EUR");
        await AssertAccessibleAsync(page, "plans");

        // By keyboard: the nav link, Enter, and the new page's heading takes the focus.
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Heading(page, "Customers")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByTestId("customers").Locator("tbody th")).ToHaveTextAsync(["Acme Corp", "Globex", "Initech"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Corp", Exact = true }).ClickAsync();
        await page.GetByLabel("Currency").FillAsync("EUR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save customer" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("customer-currency-error")).ToHaveTextAsync("is EUR; the customer pays in USD (one currency per customer).");
        await Assertions.Expect(page.GetByLabel("Currency")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Currency")).ToHaveAttributeAsync("aria-describedby", "customer-currency-help customer-currency-error");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Tally refused this change; the field marked below says what to fix.");
        await Screenshots.TakeAsync(page, "console-customer-error.png");
        await AssertAccessibleAsync(page, "customer with an error");
        await page.GetByLabel("Currency").FillAsync("USD");
        await page.GetByLabel("Name").FillAsync("Acme Corporation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save customer" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved Acme Corporation.")).ToBeVisibleAsync();
        await Assertions.Expect(Heading(page, "Acme Corporation")).ToBeVisibleAsync();
        Assert.Equal("Acme Corporation", (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme", scenario.Key)).GetProperty("name").GetString());

        await page.GetByRole(AriaRole.Link, new() { Name = "pro v1" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Acme Corporation · pro v1")).ToBeVisibleAsync();
        await page.GetByLabel("New plan").SelectOptionAsync("pro_eur");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change plan" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("change-plan-error")).ToHaveTextAsync("plan pro_eur is priced in EUR; the customer pays in USD (one currency per customer).");
        await Assertions.Expect(page.GetByLabel("New plan")).ToHaveAttributeAsync("aria-invalid", "true");
        await Screenshots.TakeAsync(page, "console-subscription-error.png");
        await AssertAccessibleAsync(page, "subscription with an error");

        // A new customer in Berlin: the API refuses a zone it does not know, at the field, then stores a real one.
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New customer" }).ClickAsync();
        await Assertions.Expect(Heading(page, "New customer")).ToBeFocusedAsync();
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("hooli");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Hooli");
        await page.GetByLabel("Currency").FillAsync("USD");
        await page.GetByLabel("Subject keys").FillAsync("hooli");
        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("UTC");
        await page.GetByLabel("Time zone").FillAsync("Mars/Olympus");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("customer-timezone-error")).ToHaveTextAsync("is \"Mars/Olympus\"; use an IANA time zone id such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\".");
        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveAttributeAsync("aria-describedby", "customer-timezone-help customer-timezone-error");
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/api/v1/customers/hooli", scenario.Key, null)).Status);
        await AssertAccessibleAsync(page, "new customer with an error");
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Hooli")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Berlin");
        Assert.Equal("Europe/Berlin", (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/hooli", scenario.Key)).GetProperty("timezone").GetString());

        // Subscribed from now (15 June 2026, 12:00 UTC) on the 20th at local midnight: a bad anchor first, at its field.
        await page.GetByLabel("Plan", new() { Exact = true }).SelectOptionAsync("pro");
        await page.GetByLabel("Billing anchor (RFC 3339, optional)").FillAsync("the 20th");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("subscribe-anchor-error")).ToHaveTextAsync("is \"the 20th\"; send an RFC 3339 date-time such as 2026-11-01T00:00:00Z.");
        await Assertions.Expect(page.GetByLabel("Billing anchor (RFC 3339, optional)")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("Billing anchor (RFC 3339, optional)").FillAsync("2026-06-20T00:00:00+02:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Subscribed to pro v1, anchored 2026-06-19 22:00 UTC.")).ToBeVisibleAsync();
        var subscription = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/hooli/subscriptions", scenario.Key)).GetProperty("items")[0];
        Assert.Equal(("2026-06-15T12:00:00Z", "2026-06-19T22:00:00Z"), (subscription.GetProperty("activeFrom").GetString(), subscription.GetProperty("billingAnchor").GetString()));
        await Screenshots.TakeAsync(page, "console-customer-zone.png");
        await AssertAccessibleAsync(page, "customer with a subscription form");

        await page.GetByRole(AriaRole.Link, new() { Name = "pro v1" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Hooli · pro v1")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("billing-anchor")).ToHaveTextAsync("2026-06-19 22:00 UTC: periods turn on its day of the month and time of day in Europe/Berlin");
        await page.GetByLabel("Billing anchor (RFC 3339, optional)").FillAsync("2026-13-01T00:00:00Z");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change plan" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("change-anchor-error")).ToHaveTextAsync("is \"2026-13-01T00:00:00Z\"; send an RFC 3339 date-time such as 2026-11-01T00:00:00Z.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("customers").Locator("tbody tr", new() { HasText = "Hooli" }).Locator("td").Nth(3)).ToHaveTextAsync("Europe/Berlin");
    }

    [Fact]
    public async Task Phone_390PixelsWide_ConsolePagesFitWithoutSideScrolling()
    {
        server.RequireBrowser();
        var scenario = await FinanceScenario.CreateAsync(server, "finance-phone");
        await scenario.WithCustomersAsync();
        var page = await server.NewPageAsync(390, 844);
        await Accessibility.SignInAsync(page, scenario.Key, "/console");
        await Assertions.Expect(Heading(page, "Close runs")).ToBeVisibleAsync();

        foreach (var link in new[] { "Invoices", "Plans", "Customers", "Subscriptions", "Close runs" })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await Assertions.Expect(Heading(page, link)).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"{link} scrolls sideways at 390 px.");
        }

        await Screenshots.TakeAsync(page, "console-phone.png");
        await AssertAccessibleAsync(page, "console at 390 px");

        // Any console path is the page itself (it routes on its own), never framed by another site.
        using var response = await server.Http.GetAsync("/console/invoices/inv_1", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode.OK, "DENY"), (response.StatusCode, response.Headers.GetValues("X-Frame-Options").Single()));
    }

    private static ILocator Heading(IPage page, string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1, Exact = true });

    /// <summary>A customer's row of a run: step, state, attempts, invoice, error, actions.</summary>
    private static ILocator TaskCells(IPage page, string customerId) => page.Locator($"tr[data-customer='{customerId}'] td");

    private async Task CloseThroughTheApiAsync(FinanceScenario scenario)
    {
        var run = await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", scenario.Key, new { period = FinanceScenario.Period });
        var path = $"/api/v1/billing/close-runs/{run.GetProperty("id").GetString()}";
        await Tally.EndToEnd.Eventually.EqualsAsync("needs_attention", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path, scenario.Key)).GetProperty("status").GetString(), TimeSpan.FromSeconds(60));
        var held = (await scenario.InvoicesAsync()).Where(i => i.GetProperty("status").GetString() == "draft").ToDictionary(i => i.GetProperty("customer").GetProperty("key").GetString()!, i => i.GetProperty("id").GetString()!);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/billing/invoices/{held["acme"]}/approve", scenario.Key);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/billing/invoices/{held["globex"]}/void", scenario.Key, new { reason = "usage counted twice" });
        await Tally.EndToEnd.Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path, scenario.Key)).GetProperty("status").GetString(), TimeSpan.FromSeconds(60));
    }

    private Task AssertAccessibleAsync(IPage page, string name) => Accessibility.AssertAsync(page, name, output);
}
