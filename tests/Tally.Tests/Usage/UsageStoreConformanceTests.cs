using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Aggregator;
using Tally.Billing.Events;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ClickHouse;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;

namespace Tally.Tests.Usage;

/// <summary>
/// What meter queries over stored events must answer, to the exact value, on every ClickHouse
/// transport: the seven aggregations, DST-correct windows in a time zone, month windows, unaligned
/// ranges, groupBy/subject/customer splits, filters, eventFrom, tenant isolation, identical copies
/// collapsing, and an overflow reported instead of a wrong number.
/// </summary>
public abstract class UsageStoreConformanceTests : IDisposable
{
    private const string Tenant = "tnt_usage";
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private DriverClickHouse? client;

    protected abstract string ConnectionString(string database);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EventStore Store => new(client ?? throw new InvalidOperationException("Arrange first."));

    private MeterQueryReader Reader => new(client ?? throw new InvalidOperationException("Arrange first."));

    /// <summary>Stores the shared events in a fresh database (skipping the test where the transport is absent).</summary>
    private async Task ArrangeAsync()
    {
        client = new DriverClickHouse(ConnectionString("usage_" + Guid.NewGuid().ToString("N")), NullLogger<DriverClickHouse>.Instance);
        await new UsageSchema(client).EnsureCreatedAsync(Ct);
        await Store.InsertAsync(
        [
            Event("e1", "c1", "2026-03-07T10:00:00Z", """{"ms":10,"region":"eu","user":"u1"}"""),
            Event("e2", "c1", "2026-03-08T09:30:00Z", """{"ms":"20","region":"eu","user":"u2"}"""),
            Event("e3", "c2", "2026-03-08T12:00:00Z", """{"ms":30.5,"region":"us","user":"u1"}"""),
            Event("e4", "c2", "2026-03-09T08:00:00Z", """{"ms":"abc","region":"us","user":"u3"}"""),
            Event("e5", "c1", "2026-03-31T23:30:00Z", """{"ms":5,"user":"u1"}"""),
            Event("e6", "c3", "2026-04-01T00:10:00Z", """{"ms":1e2,"region":"eu"}"""),
            Event("o1", "c1", "2026-03-08T10:00:00Z", """{"ms":1000,"region":"eu","user":"u9"}""", tenant: "tnt_other"),
            Event("x1", "c1", "2026-03-08T10:00:00Z", """{"ms":1000}""", type: "other"),
        ], Ct);
        // A replay or a stalled aggregator may store an identical row again: every read still sees one.
        await Store.InsertAsync([Event("e1", "c1", "2026-03-07T10:00:00Z", """{"ms":10,"region":"eu","user":"u1"}""")], Ct);
    }

    [Theory]
    [InlineData(MeterAggregation.Count, null, "6")]
    [InlineData(MeterAggregation.Sum, "$.ms", "165.5")]
    [InlineData(MeterAggregation.Avg, "$.ms", "33.1")]
    [InlineData(MeterAggregation.Min, "$.ms", "5")]
    [InlineData(MeterAggregation.Max, "$.ms", "100")]
    [InlineData(MeterAggregation.UniqueCount, "$.user", "3")]
    [InlineData(MeterAggregation.Latest, "$.ms", "100")]
    public async Task Query_EachAggregationOverAllTime_IsExact(MeterAggregation aggregation, string? valueProperty, string expected)
    {
        await ArrangeAsync();
        var rows = await Reader.QueryAsync(new MeterQuery(Meter(aggregation, valueProperty), null, null, null), Ct);

        var row = Assert.Single(rows);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), row.Value);
        Assert.Equal((At("2026-03-07T10:00:00Z"), At("2026-04-01T00:11:00Z")), (row.WindowStart, row.WindowEnd));
    }

    [Fact]
    public async Task Query_DayWindowsInLosAngelesAcrossDstStart_CutAtLocalMidnight()
    {
        await ArrangeAsync();
        var query = new MeterQuery(Meter(MeterAggregation.Sum, "$.ms"), null, null, WindowSize.Day) { TimeZone = "America/Los_Angeles" };

        var rows = await Reader.QueryAsync(query, Ct);

        // 2026-03-08 is 23 hours long there; the day without a number (only "abc") has no row.
        Assert.Equal(
        [
            (At("2026-03-07T08:00:00Z"), At("2026-03-08T08:00:00Z"), 10m),
            (At("2026-03-08T08:00:00Z"), At("2026-03-09T07:00:00Z"), 50.5m),
            (At("2026-03-31T07:00:00Z"), At("2026-04-01T07:00:00Z"), 105m),
        ], rows.Select(r => (r.WindowStart, r.WindowEnd, r.Value)));
    }

    [Fact]
    public async Task Query_CountByDayInLosAngeles_CountsEventsWithoutNumbersToo()
    {
        await ArrangeAsync();
        var query = new MeterQuery(Meter(MeterAggregation.Count, null), null, null, WindowSize.Day) { TimeZone = "America/Los_Angeles" };

        var rows = await Reader.QueryAsync(query, Ct);

        Assert.Equal([1m, 2m, 1m, 2m], rows.Select(r => r.Value));
        Assert.Equal(At("2026-03-09T07:00:00Z"), rows[2].WindowStart);
    }

    [Fact]
    public async Task Query_MonthWindowsInBudapest_StartAtLocalMidnightOfTheFirst()
    {
        await ArrangeAsync();
        var query = new MeterQuery(Meter(MeterAggregation.Sum, "$.ms"), null, null, WindowSize.Month) { TimeZone = "Europe/Budapest" };

        var rows = await Reader.QueryAsync(query, Ct);

        Assert.Equal(
        [
            (At("2026-02-28T23:00:00Z"), At("2026-03-31T22:00:00Z"), 60.5m),
            (At("2026-03-31T22:00:00Z"), At("2026-04-30T22:00:00Z"), 105m),
        ], rows.Select(r => (r.WindowStart, r.WindowEnd, r.Value)));
    }

    [Fact]
    public async Task Query_UnalignedRangeWithHourWindows_CountsOnlyInsideButLabelsWholeWindows()
    {
        await ArrangeAsync();
        var query = new MeterQuery(Meter(MeterAggregation.Sum, "$.ms"), At("2026-03-08T09:45:00Z"), At("2026-03-08T12:30:00Z"), WindowSize.Hour);

        var rows = await Reader.QueryAsync(query, Ct);

        Assert.Equal([(At("2026-03-08T12:00:00Z"), At("2026-03-08T13:00:00Z"), 30.5m)], rows.Select(r => (r.WindowStart, r.WindowEnd, r.Value)));
    }

    [Fact]
    public async Task Query_NoWindowWithRange_ReportsTheRangeAsTheWindow()
    {
        await ArrangeAsync();
        var query = new MeterQuery(Meter(MeterAggregation.Count, null), At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z"), null);

        var row = Assert.Single(await Reader.QueryAsync(query, Ct));

        Assert.Equal((At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z"), 2m), (row.WindowStart, row.WindowEnd, row.Value));
    }

    [Fact]
    public async Task Query_GroupByRegionAndSubject_SplitsWithEmptyForMissing()
    {
        await ArrangeAsync();
        var meter = Meter(MeterAggregation.Sum, "$.ms");
        var byRegion = await Reader.QueryAsync(new MeterQuery(meter, null, null, null) { GroupBy = ["region"] }, Ct);
        var bySubject = await Reader.QueryAsync(new MeterQuery(meter, null, null, null) { GroupBySubject = true }, Ct);

        Assert.Equal([("", 5m), ("eu", 130m), ("us", 30.5m)], byRegion.Select(r => (r.GroupBy["region"], r.Value)));
        Assert.Equal([("c1", 35m), ("c2", 30.5m), ("c3", 100m)], bySubject.Select(r => (r.Subject!, r.Value)));
    }

    [Fact]
    public async Task Query_CustomersAndFilterGroupBy_SplitByCustomerAndKeepOnlyTheValues()
    {
        await ArrangeAsync();
        var meter = Meter(MeterAggregation.Sum, "$.ms");
        var customers = new Dictionary<string, string> { ["c1"] = "cus_a", ["c2"] = "cus_a", ["c3"] = "cus_b" };

        var byCustomer = await Reader.QueryAsync(new MeterQuery(meter, null, null, null) { CustomerBySubject = customers, GroupByCustomer = true }, Ct);
        var eu = await Reader.QueryAsync(new MeterQuery(meter, null, null, null) { FilterGroupBy = new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu"] } }, Ct);
        var onlyC2 = await Reader.QueryAsync(new MeterQuery(meter, null, null, null) { Subjects = ["c2"] }, Ct);

        Assert.Equal([("cus_a", 65.5m), ("cus_b", 100m)], byCustomer.Select(r => (r.CustomerId!, r.Value)));
        Assert.Equal([130m], eu.Select(r => r.Value));
        Assert.Equal([30.5m], onlyC2.Select(r => r.Value));
    }

    [Fact]
    public async Task Query_DataFilterAndEventFrom_MeterOnlyWhatTheyLetThrough()
    {
        await ArrangeAsync();
        var over15 = Meter(MeterAggregation.Sum, "$.ms") with { DataFilter = [new DataCondition("$.ms", DataOperator.Gt, ["15"])] };
        var countEu = Meter(MeterAggregation.Count, null) with { DataFilter = [new DataCondition("$.region", DataOperator.In, ["eu"]), new DataCondition("$.user", DataOperator.Exists, ["true"])] };
        var fromMarch8 = Meter(MeterAggregation.Sum, "$.ms") with { EventFrom = At("2026-03-08T00:00:00Z") };

        Assert.Equal([150.5m], (await Reader.QueryAsync(new MeterQuery(over15, null, null, null), Ct)).Select(r => r.Value));
        Assert.Equal([2m], (await Reader.QueryAsync(new MeterQuery(countEu, null, null, null), Ct)).Select(r => r.Value));
        Assert.Equal([155.5m], (await Reader.QueryAsync(new MeterQuery(fromMarch8, null, null, null), Ct)).Select(r => r.Value));
    }

    [Fact]
    public async Task Query_LatestWithEqualTimes_TakesTheGreatestSourceAndId()
    {
        await ArrangeAsync();
        var tenant = "tnt_latest_" + Guid.NewGuid().ToString("N");
        await Store.InsertAsync(
        [
            Event("b", "c1", "2026-05-01T00:00:00Z", """{"v":2}""", tenant: tenant),
            Event("c", "c1", "2026-05-01T00:00:00Z", """{"v":3}""", tenant: tenant),
            Event("a", "c1", "2026-05-01T00:00:00Z", """{"v":1}""", tenant: tenant),
            Event("z", "c1", "2026-04-30T00:00:00Z", """{"v":9}""", tenant: tenant),
        ], Ct);

        var rows = await Reader.QueryAsync(new MeterQuery(Meter(MeterAggregation.Latest, "$.v", tenant), null, null, null), Ct);

        Assert.Equal([3m], rows.Select(r => r.Value));
    }

    [Fact]
    public async Task Query_SumBeyondDecimal_ThrowsOverflowNamingTheMeterWhileTheStoreKeepsBoth()
    {
        await ArrangeAsync();
        var tenant = "tnt_big_" + Guid.NewGuid().ToString("N");
        await Store.InsertAsync(
        [
            Event("a", "c1", "2026-05-01T00:00:00Z", """{"v":5e28}""", tenant: tenant),
            Event("b", "c1", "2026-05-01T00:00:30Z", """{"v":"5e28"}""", tenant: tenant),
        ], Ct);
        var meter = Meter(MeterAggregation.Sum, "$.v", tenant);

        var overflow = await Assert.ThrowsAsync<UsageOverflowException>(() => Reader.QueryAsync(new MeterQuery(meter, null, null, null), Ct));
        var max = await Reader.QueryAsync(new MeterQuery(meter with { Aggregation = MeterAggregation.Max }, null, null, null), Ct);

        Assert.Equal(("tokens", "100000000000000000000000000000"), (overflow.MeterSlug, overflow.Message.Split(' ')[6].TrimEnd(',')));
        Assert.Equal([50_000_000_000_000_000_000_000_000_000m], max.Select(r => r.Value));
    }

    [Fact]
    public async Task GroupByValuesAndSubjects_ListDistinctSortedValues()
    {
        await ArrangeAsync();
        var meter = Meter(MeterAggregation.Sum, "$.ms");

        var regions = await Reader.GroupByValuesAsync(meter, "region", At("2026-03-01T00:00:00Z"), At("2026-04-02T00:00:00Z"), Ct);
        var subjects = await Reader.SubjectsAsync(meter, null, At("2026-04-01T00:00:00Z"), Ct);

        Assert.Equal(["", "eu", "us"], regions);
        Assert.Equal(["c1", "c2"], subjects);
    }

    [Fact]
    public async Task UsageReader_TotalForSubjects_IsTheMetersAggregate()
    {
        await ArrangeAsync();
        var reader = new UsageReader(client!);

        var total = await reader.GetTotalAsync(Meter(MeterAggregation.Sum, "$.ms"), ["c1", "c3"], At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct);
        var none = await reader.GetTotalAsync(Meter(MeterAggregation.Sum, "$.ms"), ["nobody"], At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct);

        Assert.Equal((135m, 0m), (total, none));
    }

    [Fact]
    public async Task EventList_NewestFirstWithRejections_AndIdentitiesOfAPartition()
    {
        await ArrangeAsync();
        var tenant = "tnt_list_" + Guid.NewGuid().ToString("N");
        var first = Event("a", "c1", "2026-06-01T00:00:00Z", """{"v":1}""", tenant: tenant) with { Partition = 3, Position = 7 };
        var second = Event("b", "c2", "2026-06-02T00:00:00Z", "", tenant: tenant) with { Partition = 3, Position = 9 };
        await Store.InsertAsync([first, second], Ct);
        await Store.InsertRejectedAsync([new RejectedEvent(tenant, first with { Subject = "c9", Time = At("2026-06-03T00:00:00Z") }, "duplicate: different payload", "", 3, 11)], At("2026-06-04T00:00:00Z"), Ct);

        var listed = await Store.ListAsync(new EventListQuery(tenant, At("2026-01-01T00:00:00Z"), null, null, null, null, [], 10), Ct);
        var onlyC1 = await Store.ListAsync(new EventListQuery(tenant, null, null, null, null, null, ["c1"], 10), Ct);
        var identities = await Store.IdentitiesAsync(3, 8, long.MaxValue, Ct).ToListAsync(Ct);

        Assert.Equal([("a", "c9", "duplicate: different payload"), ("b", "c2", null), ("a", "c1", null)], listed.Select(e => (e.Event.Identity.Id, e.Event.Subject, e.Rejection)));
        Assert.Equal(["", """{"v":1}"""], listed.Skip(1).Select(e => e.Event.Data));
        Assert.Equal(["a"], onlyC1.Select(e => e.Event.Identity.Id));
        Assert.Equal([KeyValuePair.Create(second.IdentityDigest, second.PayloadDigest)], identities);
    }

    [Fact]
    public async Task DeleteBefore_RetentionOfOneTenant_DropsOnlyItsOlderEvents()
    {
        await ArrangeAsync();

        await Store.DeleteBeforeAsync(Tenant, At("2026-03-09T00:00:00Z"), Ct);

        var count = Meter(MeterAggregation.Count, null);
        Assert.Equal([3m], (await Reader.QueryAsync(new MeterQuery(count, null, null, null), Ct)).Select(r => r.Value));
        Assert.Equal([1m], (await Reader.QueryAsync(new MeterQuery(count with { TenantId = "tnt_other" }, null, null, null), Ct)).Select(r => r.Value));
    }

    [Fact]
    public async Task Rollups_PendingHoursRolledUp_ReconcileCleanAndTotalsUnchanged()
    {
        await ArrangeAsync();
        var rollups = new UsageRollups(client!);
        var reader = new UsageReader(client!);
        var sum = Meter(MeterAggregation.Sum, "$.ms");
        var before = await reader.GetTotalAsync(sum, ["c1", "c2", "c3"], At("2026-03-07T00:00:00Z"), At("2026-04-02T00:00:00Z"), Ct);

        var pending = await rollups.PendingAsync(sum, At("2026-05-01T00:00:00Z"), 100, Ct);
        // Hours are tracked per tenant: the hour of the tenant's "other" event is pending for this meter too (and rolls up to nothing).
        Assert.Equal(
            [At("2026-03-07T10:00:00Z"), At("2026-03-08T09:00:00Z"), At("2026-03-08T10:00:00Z"), At("2026-03-08T12:00:00Z"), At("2026-03-09T08:00:00Z"), At("2026-03-31T23:00:00Z"), At("2026-04-01T00:00:00Z")],
            pending.Select(p => p.Hour));
        var dirty = await rollups.ReconcileAsync(sum, At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct);
        // Reconciliation reports hours with usage on either side: the "other" hour has none for this meter.
        Assert.Equal(6, dirty.Count(d => d.Pending));
        foreach (var hour in pending)
        {
            await rollups.RollUpAsync(sum, hour, Ct);
        }

        Assert.Empty(await rollups.PendingAsync(sum, At("2026-05-01T00:00:00Z"), 100, Ct));
        Assert.Empty(await rollups.ReconcileAsync(sum, At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct));
        Assert.Equal((165.5m, 165.5m), (before, await reader.GetTotalAsync(sum, ["c1", "c2", "c3"], At("2026-03-07T00:00:00Z"), At("2026-04-02T00:00:00Z"), Ct)));
    }

    [Theory]
    [InlineData(MeterAggregation.Count, null, "6")]
    [InlineData(MeterAggregation.Avg, "$.ms", "33.1")]
    [InlineData(MeterAggregation.Min, "$.ms", "5")]
    [InlineData(MeterAggregation.Max, "$.ms", "100")]
    [InlineData(MeterAggregation.UniqueCount, "$.user", "3")]
    [InlineData(MeterAggregation.Latest, "$.ms", "100")]
    public async Task Rollups_EachAggregation_MergesAcrossRolledUpHoursAndPartialEdges(MeterAggregation aggregation, string? valueProperty, string expected)
    {
        await ArrangeAsync();
        var rollups = new UsageRollups(client!);
        var meter = Meter(aggregation, valueProperty);
        foreach (var hour in await rollups.PendingAsync(meter, At("2026-05-01T00:00:00Z"), 100, Ct))
        {
            await rollups.RollUpAsync(meter, hour, Ct);
        }

        // From 09:30 on 7 March: the edges are read from events, the whole hours between from roll-ups.
        var total = await new UsageReader(client!).GetTotalAsync(meter, ["c1", "c2", "c3"], At("2026-03-07T09:30:00Z"), At("2026-04-01T00:30:00Z"), Ct);

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), total);
    }

    [Fact]
    public async Task Rollups_LateEventInARolledUpHour_IsCountedAtOnceAndTheHourIsPendingAgain()
    {
        await ArrangeAsync();
        var rollups = new UsageRollups(client!);
        var sum = Meter(MeterAggregation.Sum, "$.ms");
        foreach (var hour in await rollups.PendingAsync(sum, At("2026-05-01T00:00:00Z"), 100, Ct))
        {
            await rollups.RollUpAsync(sum, hour, Ct);
        }

        await Store.InsertAsync([Event("late", "c2", "2026-03-08T12:59:00Z", """{"ms":1000}""")], Ct);

        var total = await new UsageReader(client!).GetTotalAsync(sum, ["c2"], At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z"), Ct);
        var pending = await rollups.PendingAsync(sum, At("2026-05-01T00:00:00Z"), 100, Ct);
        var difference = Assert.Single(await rollups.ReconcileAsync(sum, At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct));
        Assert.Equal(1030.5m, total);
        Assert.Equal([At("2026-03-08T12:00:00Z")], pending.Select(p => p.Hour));
        Assert.Equal((At("2026-03-08T12:00:00Z"), 30.5m, 1030.5m, 1L, 2L, true), (difference.Hour, difference.RolledUp, difference.Events, difference.RolledUpEvents, difference.EventCount, difference.Pending));

        await rollups.RollUpAsync(sum, pending[0], Ct);
        Assert.Empty(await rollups.ReconcileAsync(sum, At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct));
    }

    [Fact]
    public async Task Reconcile_RollupThatDriftedFromTheEvents_ReportsTheHourAsDifferentNotPending()
    {
        await ArrangeAsync();
        var rollups = new UsageRollups(client!);
        var sum = Meter(MeterAggregation.Sum, "$.ms");
        foreach (var hour in await rollups.PendingAsync(sum, At("2026-05-01T00:00:00Z"), 100, Ct))
        {
            await rollups.RollUpAsync(sum, hour, Ct);
        }

        // A roll-up row that no longer matches its events (a bug, or a hand edit): reconciliation must see it.
        await client!.ExecuteAsync(
            "INSERT INTO usage_hourly (tenant_id, meter_id, hour, subject, version, total, events, numbers, smallest, largest, distinct_values, latest) " +
            "SELECT tenant_id, meter_id, hour, subject, now64(6, 'UTC') + 1, sumState(toDecimal256OrNull('7', 9)), countState(), countState(toDecimal256OrNull('7', 9)), minState(toDecimal256OrNull('7', 9)), maxState(toDecimal256OrNull('7', 9)), uniqExactState(''), argMaxStateIf(toDecimal256OrNull('7', 9), (now64(3, 'UTC'), '', ''), 1) " +
            "FROM usage_hourly FINAL WHERE tenant_id = 'tnt_usage' AND meter_id = 'mtr_Sum' AND hour = toDateTime('2026-03-07 10:00:00', 'UTC') GROUP BY tenant_id, meter_id, hour, subject",
            null,
            Ct);

        var difference = Assert.Single(await rollups.ReconcileAsync(sum, At("2026-03-01T00:00:00Z"), At("2026-05-01T00:00:00Z"), Ct));

        Assert.Equal((At("2026-03-07T10:00:00Z"), 7m, 10m, false), (difference.Hour, difference.RolledUp, difference.Events, difference.Pending));
    }

    [Fact]
    public async Task InsertAsync_EdgeValuesOfEveryColumn_ReadBackExactly()
    {
        client = new DriverClickHouse(ConnectionString("usage_" + Guid.NewGuid().ToString("N")), NullLogger<DriverClickHouse>.Instance);
        await new UsageSchema(client).EnsureCreatedAsync(Ct);
        // Multi-byte and escaped characters, a 300-byte subject (a two-byte length), milliseconds, an identity
        // digest past 64 bits, the largest partition number and a position past 32 bits: the binary rows carry them all.
        var subject = "ü" + new string('s', 298);
        var data = """{"ms":1,"note":"line\nbreak \"quoted\" ✓ 𝄞","empty":""}""";
        var stored = new StoredEvent(new EventIdentity(Tenant, "src/ü", "id 𝄞"), "call", subject, At("2026-03-07T10:00:00.123Z"), data, At("2026-03-07T10:00:01.987Z"))
        {
            IdentityDigest = UInt128.MaxValue - 12345,
            PayloadDigest = ulong.MaxValue - 6789,
            Partition = ushort.MaxValue,
            Position = (1L << 40) + 7,
        };
        // Binary values full of newline bytes (0x0A): the embedded engine must not cut the rows at them.
        var newlines = Event("nl", "c1", "2026-03-07T10:00:00.010Z", """{"ms":10}""") with
        {
            IdentityDigest = new UInt128(0x0A0A_0A0A_0A0A_0A0A, 0x0A0A_0A0A_0A0A_0A0A),
            PayloadDigest = 0x0A0A_0A0A_0A0A_0A0A,
            Partition = ushort.MaxValue,
            Position = 0x0A0A,
        };
        await Store.InsertAsync([newlines, stored], Ct);

        var listed = await Store.ListAsync(new EventListQuery(Tenant, null, null, null, null, null, [], 10), Ct);
        var identities = new List<KeyValuePair<UInt128, ulong>>();
        await foreach (var identity in Store.IdentitiesAsync(ushort.MaxValue, 0, (1L << 40) + 8, Ct))
        {
            identities.Add(identity);
        }

        Assert.Equal(stored with { IdentityDigest = 0, PayloadDigest = 0, Partition = 0, Position = 0 }, Assert.Single(listed, e => e.Event.Identity.Id == "id 𝄞").Event);
        Assert.Equal(2, listed.Count);
        Assert.Equal(
            [KeyValuePair.Create(newlines.IdentityDigest, newlines.PayloadDigest), KeyValuePair.Create(UInt128.MaxValue - 12345, ulong.MaxValue - 6789)],
            identities.OrderBy(i => i.Key));
        Assert.Equal([At("2026-03-07T10:00:00Z")], (await new UsageRollups(client).PendingAsync(Meter(MeterAggregation.Count, null), At("2026-05-01T00:00:00Z"), 10, Ct)).Select(p => p.Hour));
    }

    public void Dispose() => client?.Dispose();

    private static MeterDefinition Meter(MeterAggregation aggregation, string? valueProperty, string tenant = Tenant) =>
        new(tenant, "mtr_" + aggregation, "tokens", null, "call", aggregation, valueProperty,
            new Dictionary<string, string> { ["region"] = "$.region", ["user"] = "$.user" }, Created);

    private static StoredEvent Event(string id, string subject, string time, string data, string tenant = Tenant, string type = "call")
    {
        var stored = new StoredEvent(new EventIdentity(tenant, "src", id), type, subject, At(time), data, At(time));
        return stored with { IdentityDigest = EventDigests.Identity(stored.Identity), PayloadDigest = EventDigests.Payload(stored) };
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);
}

/// <summary>The usage store conformance suite on embedded chDB.</summary>
[Collection(Tally.Tests.ClickHouse.ChdbCollection.Name)]
public sealed class EmbeddedUsageStoreConformanceTests(Tally.Tests.ClickHouse.EmbeddedClickHouseFixture fixture) : UsageStoreConformanceTests
{
    protected override string ConnectionString(string database) => fixture.ConnectionString(database);
}

/// <summary>The usage store conformance suite on a ClickHouse server named by <c>TALLY_TEST_CLICKHOUSE</c>; skipped where none is reachable.</summary>
public sealed class ServerUsageStoreConformanceTests : UsageStoreConformanceTests
{
    protected override string ConnectionString(string database)
    {
        var configured = Environment.GetEnvironmentVariable("TALLY_TEST_CLICKHOUSE");
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip("TALLY_TEST_CLICKHOUSE is not set: no ClickHouse server to run the usage store conformance suite against.");
        }

        return new global::ClickHouse.Driver.ADO.ClickHouseConnectionStringBuilder(configured) { Database = database }.ConnectionString;
    }
}
