using System.Data.Common;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.EventLog.Embedded;
using Tally.Ledger;
using Xunit;

namespace Tally.Tests.Ledger;

public abstract partial class LedgerConformanceTests
{
    [Fact]
    public async Task Issue_DraftAndIssueInOneCommit_StoresEveryFieldAndTheFirstNumber()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");

        var invoice = await LedgerScenario.IssueAsync(Ledger, tenant, customer, LedgerScenario.November);

        var expected = LedgerScenario.Draft(tenant, customer, LedgerScenario.November, invoice.CloseRunId!) with
        {
            Id = invoice.Id,
            Number = "INV-000001",
            Status = InvoiceStatus.Issued,
            IssuedAt = TestLedger.Now,
            Lines = invoice.Lines,
        };
        Assert.Equal(expected, invoice);
        Assert.Equal(LedgerScenario.Draft(tenant, customer, LedgerScenario.November, invoice.CloseRunId!).Lines, invoice.Lines);
        Assert.Equal(["invoice.issued"], await OutboxAsync(tenant));
    }

    [Fact]
    public async Task Issue_InvoicesAndCreditNotesOfSeveralTenants_NumberEachSeriesPerTenantWithoutGaps()
    {
        var acme = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var globex = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var alice = await LedgerScenario.CustomerAsync(Ledger, acme, "alice");
        var bob = await LedgerScenario.CustomerAsync(Ledger, acme, "bob");
        var carol = await LedgerScenario.CustomerAsync(Ledger, globex, "carol");
        var december = new BillingPeriod(2026, 12);

        var numbers = new List<string?>();
        foreach (var (tenant, customer, period, kind) in new[]
        {
            (acme, alice, LedgerScenario.November, InvoiceKind.Standard), (acme, bob, LedgerScenario.November, InvoiceKind.Standard),
            (acme, alice, LedgerScenario.November, InvoiceKind.CreditNote), (globex, carol, LedgerScenario.November, InvoiceKind.Standard),
            (acme, bob, december, InvoiceKind.Standard),
        })
        {
            numbers.Add((await LedgerScenario.IssueAsync(Ledger, tenant, customer, period, kind, kind == InvoiceKind.CreditNote ? 7.5m : null, corrects: kind == InvoiceKind.CreditNote ? "inv_corrected" : null)).Number);
        }

        var (listed, total) = await Ledger.Invoices.ListAsync(acme, new InvoiceFilter(), Ct);
        var (bobs, _) = await Ledger.Invoices.ListAsync(acme, new InvoiceFilter { CustomerIds = [bob] }, Ct);
        var (page, _) = await Ledger.Invoices.ListAsync(acme, new InvoiceFilter { Page = 2, PageSize = 2 }, Ct);
        Assert.Equal(["INV-000001", "INV-000002", "CN-000001", "INV-000001", "INV-000003"], numbers);
        Assert.Equal((4, "INV-000003"), (total, listed[0].Number));
        Assert.Equal(["INV-000003", "INV-000002"], bobs.Select(i => i.Number));
        Assert.Equal(2, page.Count);
    }

    [Fact]
    public async Task Lease_TwoInstancesEightWorkers_EveryTaskLeasedByExactlyOne()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customers = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            customers.Add(await LedgerScenario.CustomerAsync(Ledger, tenant, $"c{i:D2}"));
        }

        await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, customers);
        var second = await SecondLedgerAsync();
        using var start = new ManualResetEventSlim();

        // Half the workers go through a second ledger instance, as a second invoicer process would.
        var leases = Enumerable.Range(0, 8).Select(i => Task.Run(
            async () =>
            {
                start.Wait(Ct);
                var store = i % 2 == 0 ? Ledger.CloseRuns : second.CloseRuns;
                return await store.LeaseAsync(CloseStep.Freeze, 7, $"worker-{i}", TestLedger.Now, TimeSpan.FromMinutes(1), Ct);
            },
            Ct)).ToArray();
        start.Set();
        var leased = (await Task.WhenAll(leases)).SelectMany(batch => batch).ToList();

        Assert.Equal(customers.Order(StringComparer.Ordinal), leased.Select(t => t.CustomerId).Order(StringComparer.Ordinal));
        Assert.Empty(await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 100, "late", TestLedger.Now, TimeSpan.FromMinutes(1), Ct));
        Assert.Equal(40, (await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 100, "after-expiry", TestLedger.Now.AddMinutes(2), TimeSpan.FromMinutes(1), Ct)).Count);
    }

    [Fact]
    public async Task Commit_LeaseTakenOverByAnotherWorker_AppliesNothingOfTheStaleOutcome()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var run = await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer]);
        var stale = Assert.Single(await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 1, "slow", TestLedger.Now, TimeSpan.FromMinutes(1), Ct));
        var current = Assert.Single(await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 1, "fast", TestLedger.Now.AddMinutes(5), TimeSpan.FromMinutes(1), Ct));
        var draft = LedgerScenario.Draft(tenant, customer, LedgerScenario.November, run.Id);
        var outcome = new CloseOutcome(stale, CloseStep.Done, CloseTaskState.Done, 0, TestLedger.Now, null) { Draft = draft, Issue = true };

        var applied = await Ledger.CloseRuns.CommitAsync([outcome], TestLedger.Now, Ct);
        var appliedByOwner = await Ledger.CloseRuns.CommitAsync([outcome with { Task = current }], TestLedger.Now.AddMinutes(5), Ct);

        Assert.Equal((0, 1), (applied, appliedByOwner));
        var (invoices, _) = await Ledger.Invoices.ListAsync(tenant, new InvoiceFilter(), Ct);
        Assert.Equal([("INV-000001", draft.Id)], invoices.Select(i => (i.Number!, i.Id)));
        Assert.Equal((CloseStep.Done, CloseTaskState.Done, draft.Id), (await Ledger.CloseRuns.TasksAsync(tenant, run.Id, Ct)) is [var task] ? (task.Step, task.State, task.InvoiceId) : default);
    }

    [Fact]
    public async Task Commit_DraftAgainForTheSameRunAndCustomer_KeepsTheFirstAndFrozenUsageOnce()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var run = await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer]);
        var frozen = new FrozenUsage(customer, "tokens", LedgerScenario.November, 1_234_567.5m, TestLedger.Now);
        var first = LedgerScenario.Draft(tenant, customer, LedgerScenario.November, run.Id);

        var task = Assert.Single(await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 1, "w", TestLedger.Now, TimeSpan.FromMinutes(1), Ct));
        await Ledger.CloseRuns.CommitAsync([new CloseOutcome(task, CloseStep.Freeze, CloseTaskState.Ready, 1, TestLedger.Now, "boom") { Frozen = [frozen], Draft = first }], TestLedger.Now, Ct);
        task = Assert.Single(await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 1, "w", TestLedger.Now, TimeSpan.FromMinutes(1), Ct));
        await Ledger.CloseRuns.CommitAsync([new CloseOutcome(task, CloseStep.Done, CloseTaskState.Done, 0, TestLedger.Now, null) { Frozen = [frozen with { Quantity = 9m }], Draft = LedgerScenario.Draft(tenant, customer, LedgerScenario.November, run.Id), Issue = true }], TestLedger.Now, Ct);

        var (invoices, _) = await Ledger.Invoices.ListAsync(tenant, new InvoiceFilter(), Ct);
        Assert.Equal([(first.Id, InvoiceStatus.Issued)], invoices.Select(i => (i.Id, i.Status)));
        Assert.Equal([frozen], await Ledger.CloseRuns.FrozenUsageAsync(tenant, run.Id, [customer], Ct));
    }

    [Fact]
    public async Task CreateRun_SecondFullCloseOfAPeriod_ConflictsOnPeriodWhileScopedAndDryRunsMayRepeat()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer]);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer]));
        await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer], customerId: customer);
        await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [customer], CloseRunKind.Rerun);

        Assert.Equal("period", conflict.Field);
        Assert.Equal([(tenant, LedgerScenario.November)], await Ledger.CloseRuns.ClosedPeriodsAsync(Ct));
        Assert.Equal(3, (await Ledger.CloseRuns.ListAsync(tenant, LedgerScenario.November, Ct)).Count);
    }

    [Fact]
    public async Task Signal_ApproveRejectAndRetry_MoveOnlyTasksInTheStateTheyApplyTo()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var alice = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var bob = await LedgerScenario.CustomerAsync(Ledger, tenant, "bob");
        var carol = await LedgerScenario.CustomerAsync(Ledger, tenant, "carol");
        var run = await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [alice, bob, carol]);
        var tasks = await Ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 3, "w", TestLedger.Now, TimeSpan.FromMinutes(1), Ct);
        var drafts = tasks.ToDictionary(t => t.CustomerId, t => LedgerScenario.Draft(tenant, t.CustomerId, LedgerScenario.November, run.Id) with { Status = InvoiceStatus.PendingApproval });
        await Ledger.CloseRuns.CommitAsync(
            [.. tasks.Select(t => t.CustomerId == carol
                ? new CloseOutcome(t, CloseStep.Push, CloseTaskState.Parked, 8, TestLedger.Now, "Stripe is down")
                : new CloseOutcome(t, CloseStep.Approval, CloseTaskState.Waiting, 0, TestLedger.Now, null) { Draft = drafts[t.CustomerId] })],
            TestLedger.Now,
            Ct);

        var approved = await Ledger.CloseRuns.SignalAsync(tenant, run.Id, alice, CloseSignal.Approve, "finance@acme", TestLedger.Now, Ct);
        var rejected = await Ledger.CloseRuns.SignalAsync(tenant, run.Id, bob, CloseSignal.Reject, "finance@acme", TestLedger.Now, Ct);
        var retried = await Ledger.CloseRuns.SignalAsync(tenant, run.Id, carol, CloseSignal.Retry, "ops", TestLedger.Now, Ct);
        var again = await Ledger.CloseRuns.SignalAsync(tenant, run.Id, alice, CloseSignal.Approve, "finance@acme", TestLedger.Now, Ct);
        var foreign = await Ledger.CloseRuns.SignalAsync(await LedgerScenario.TenantAsync(Ledger, "Globex"), run.Id, bob, CloseSignal.Reject, "x", TestLedger.Now, Ct);

        Assert.Equal((CloseStep.Issue, CloseTaskState.Ready), (approved!.Step, approved.State));
        Assert.Equal((CloseStep.Done, CloseTaskState.Done), (rejected!.Step, rejected.State));
        Assert.Equal((CloseStep.Push, CloseTaskState.Ready, 0), (retried!.Step, retried.State, retried.Attempts));
        Assert.Null(again);
        Assert.Null(foreign);
        Assert.Equal(
            (InvoiceStatus.PendingApproval, "finance@acme", InvoiceStatus.Voided, "rejected by finance@acme"),
            ((await Ledger.Invoices.GetAsync(tenant, drafts[alice].Id, Ct))!.Status, (await Ledger.Invoices.GetAsync(tenant, drafts[alice].Id, Ct))!.ReviewedBy,
             (await Ledger.Invoices.GetAsync(tenant, drafts[bob].Id, Ct))!.Status, (await Ledger.Invoices.GetAsync(tenant, drafts[bob].Id, Ct))!.VoidReason));
        Assert.Equal(
            new[] { $"{alice}:Approval/approved:finance@acme", $"{bob}:Approval/rejected:finance@acme", $"{carol}:Push/retry requested:ops", ":Run/created:test" }.Order(StringComparer.Ordinal),
            (await Ledger.CloseRuns.HistoryAsync(tenant, run.Id, null, Ct)).Select(h => $"{h.CustomerId}:{h.Step}/{h.Outcome}:{h.Worker}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Invoiced_InvoiceCreditNoteAndLateLinesOfLaterInvoices_NetPerCustomer()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var alice = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var bob = await LedgerScenario.CustomerAsync(Ledger, tenant, "bob");
        var original = await LedgerScenario.IssueAsync(Ledger, tenant, alice, LedgerScenario.November);
        await LedgerScenario.IssueAsync(Ledger, tenant, alice, LedgerScenario.November, InvoiceKind.CreditNote, 7.42m, CloseRunKind.Rerun, original.Id);
        var adjustment = await LedgerScenario.IssueAsync(Ledger, tenant, alice, LedgerScenario.November, InvoiceKind.Standard, 0.58m, CloseRunKind.Rerun, original.Id);

        var invoiced = await Ledger.CloseRuns.InvoicedAsync(tenant, [alice, bob], LedgerScenario.November, Ct);

        Assert.Equal([alice], invoiced.Keys);
        Assert.Equal(new InvoicedPeriod(150.58m, new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero), original.Id, 157.42m) { LatestInvoiceId = adjustment.Id }, invoiced[alice]);
    }

    [Fact]
    public async Task Void_IssuedInvoice_KeepsNumberQueuesEventAndRefusesTwice()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var invoice = await LedgerScenario.IssueAsync(Ledger, tenant, customer, LedgerScenario.November);
        var later = TestLedger.Now.AddDays(3);

        var voided = await Ledger.Invoices.VoidAsync(tenant, invoice.Id, "billed twice by mistake", later, Ct);
        var again = await Ledger.Invoices.VoidAsync(tenant, invoice.Id, "again", later.AddDays(1), Ct);

        Assert.Equal((InvoiceStatus.Voided, "INV-000001", later, "billed twice by mistake"), (voided!.Status, voided.Number, voided.VoidedAt, voided.VoidReason));
        Assert.Equal(voided with { Lines = [] }, again! with { Lines = [] });
        Assert.Equal(["invoice.issued", "invoice.voided"], await OutboxAsync(tenant));
    }

    [Fact]
    public async Task MarkPushed_ExistingInvoice_SetsTheExternalId()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var invoice = await LedgerScenario.IssueAsync(Ledger, tenant, customer, LedgerScenario.November);

        await Ledger.Invoices.MarkPushedAsync(tenant, invoice.Id, "in_1QXyz", Ct);

        Assert.Equal(invoice with { ExternalId = "in_1QXyz", Lines = invoice.Lines }, await Ledger.Invoices.GetAsync(tenant, invoice.Id, Ct) is { } read ? read with { Lines = invoice.Lines } : null);
    }

    [Fact]
    public async Task Migrate_LedgerWithInvoicesOfTheSkeleton_KeepsTheirNumbersLinesAndPeriods()
    {
        // The fixture's database is not migrated until first used: bring it to the skeleton's schema by hand.
        var fresh = Ledger;
        await fresh.MigrateOnlyAsync(upToVersion: 3,
            """
            INSERT INTO tenants (id, name, created_at) VALUES ('tnt_old', 'Old', '2026-10-01T00:00:00.0000000Z');
            INSERT INTO customers (tenant_id, id, customer_key, name, currency, created_at) VALUES ('tnt_old', 'cus_old', 'old', 'Old Inc.', 'USD', '2026-10-01T00:00:00.0000000Z');
            INSERT INTO invoice_sequences (tenant_id, billing_period, last_seq) VALUES ('tnt_old', '2026-10', 1);
            INSERT INTO invoices (tenant_id, id, invoice_number, customer_id, billing_period, currency, total, status, external_id, issued_at)
                VALUES ('tnt_old', 'inv_old', '2026-10-0001', 'cus_old', '2026-10', 'USD', '12.5', 'Pushed', 'in_old', '2026-11-01T00:05:00.0000000Z');
            INSERT INTO invoice_lines (tenant_id, invoice_id, ordinal, rate_card_key, meter_slug, quantity, unit_price, amount)
                VALUES ('tnt_old', 'inv_old', 0, 'calls', 'api-calls', '2500', '0.005', '12.5');
            """);

        await fresh.Database.MigrateAsync(Ct);
        var migrated = await fresh.Invoices.GetAsync("tnt_old", "inv_old", Ct);

        Assert.Equal(
            ("2026-10-0001", InvoiceStatus.Issued, "in_old", new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 12.5m),
            (migrated!.Number, migrated.Status, migrated.ExternalId, migrated.PeriodFrom, migrated.PeriodTo, migrated.Total));
        Assert.Equal([new InvoiceLine("calls", "api-calls", "calls", "api-calls", 2500m, 0.005m, 12.5m)], migrated.Lines);
    }

    private Task<List<string>> OutboxAsync(string tenantId) =>
        Ledger.Database.ReadAsync(
            async connection => (await Dapper.SqlMapper.QueryAsync<string>(connection, new Dapper.CommandDefinition(
                "SELECT event_type FROM billing_outbox WHERE tenant_id = @TenantId ORDER BY created_at, event_type", new { TenantId = tenantId }, cancellationToken: Ct))).ToList(),
            Ct);

    [Fact]
    public async Task OtherTenant_ByIdOrKey_CannotReadOrChangeRows()
    {
        var owner = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var intruder = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var meter = LedgerScenario.Meter(owner, "tokens");
        await Ledger.Meters.CreateAsync(meter, Ct);
        var (customer, plan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, owner);
        var invoice = await LedgerScenario.IssueAsync(Ledger, owner, customer, LedgerScenario.November);

        Assert.Null(await Ledger.Meters.GetAsync(intruder, meter.Id, Ct));
        Assert.Null(await Ledger.Meters.GetAsync(intruder, "tokens", Ct));
        Assert.Empty(await Ledger.Meters.ListAsync(intruder, Ct));
        Assert.False(await Ledger.Meters.DeleteAsync(intruder, meter.Id, Ct));
        Assert.False(await Ledger.Meters.DeleteAsync(intruder, "tokens", Ct));
        Assert.Null(await Ledger.Plans.GetAsync(intruder, plan.Id, Ct));
        Assert.Empty(await Ledger.Plans.VersionsAsync(intruder, "pro_alice", Ct));
        Assert.Empty(await Ledger.Plans.ListAsync(intruder, Ct));
        Assert.Null(await Ledger.Customers.GetAsync(intruder, customer, Ct));
        Assert.Null(await Ledger.Customers.GetAsync(intruder, "alice", Ct));
        Assert.Empty(await Ledger.Customers.ListAsync(intruder, Ct));
        Assert.Null(await Ledger.Invoices.GetAsync(intruder, invoice.Id, Ct));
        Assert.Empty((await Ledger.Invoices.ListAsync(intruder, new InvoiceFilter(), Ct)).Page);
        Assert.Empty((await Ledger.Invoices.ListAsync(intruder, new InvoiceFilter { CustomerIds = [customer] }, Ct)).Page);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Ledger.Invoices.MarkPushedAsync(intruder, invoice.Id, "in_evil", Ct));
        Assert.Null(await Ledger.Invoices.VoidAsync(intruder, invoice.Id, "evil", TestLedger.Now, Ct));
        Assert.Null(await Ledger.CloseRuns.GetAsync(intruder, invoice.CloseRunId!, Ct));
        Assert.Empty(await Ledger.CloseRuns.TasksAsync(intruder, invoice.CloseRunId!, Ct));
        Assert.Empty(await Ledger.CloseRuns.HistoryAsync(intruder, invoice.CloseRunId!, null, Ct));

        // Rows reference their parents by (tenant, id), so another tenant's ids are unknown keys to the schema.
        await Assert.ThrowsAnyAsync<DbException>(() => Ledger.Subscriptions.CreateAsync(
            LedgerScenario.Subscription(intruder, customer, plan, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)), [], null, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => LedgerScenario.IssueAsync(Ledger, intruder, customer, new BillingPeriod(2026, 12)));
        Assert.Equal(1, await LedgerScenario.CountAsync(Ledger, "billing_invoices"));
        Assert.Equal(0, await LedgerScenario.CountAsync(Ledger, "plan_subscriptions"));

        Assert.Equal(meter, (await Ledger.Meters.GetAsync(owner, "tokens", Ct)) is { } kept ? kept with { GroupBy = meter.GroupBy } : null);
        Assert.Equal(InvoiceStatus.Issued, (await Ledger.Invoices.GetAsync(owner, invoice.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Migrate_RunTwiceAndByAnotherInstance_IsHarmless()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var second = await SecondLedgerAsync();

        await Ledger.Database.MigrateAsync(Ct);
        await second.Database.MigrateAsync(Ct);
        await second.Database.MigrateAsync(Ct);

        Assert.Equal(LedgerMigrations.All.Count, await LedgerScenario.CountAsync(second, "schema_migrations"));
        Assert.Equal(tenant, (await second.Tenants.GetAsync(tenant, Ct))?.Id);
    }

    [Fact]
    public async Task TwoInstances_OneDatabase_SeeEachOthersWrites()
    {
        var second = await SecondLedgerAsync();
        var (tenant, apiKey) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        await second.Meters.CreateAsync(LedgerScenario.Meter(tenant.Id, "tokens"), Ct);

        Assert.Equal(tenant, await second.Tenants.FindByApiKeyAsync(apiKey, Ct));
        Assert.Equal("tokens", (await Ledger.Meters.GetAsync(tenant.Id, "tokens", Ct))?.Slug);
        var conflict = await Assert.ThrowsAsync<Tally.Billing.LedgerConflictException>(
            () => Ledger.Meters.CreateAsync(LedgerScenario.Meter(tenant.Id, "tokens"), Ct));
        Assert.Equal("slug", conflict.Field);
    }
}
