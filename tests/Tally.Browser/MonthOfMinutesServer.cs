using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Events;

namespace Tally.Browser;

/// <summary>
/// The dashboard server with a month of minute data for 50 meters: meters <c>metric_00</c> to
/// <c>metric_49</c> (SUM of <c>$.value</c> by region), each with one event in every minute of the
/// 30 days up to <see cref="DashboardServer.Now"/> (2,160,000 events), written straight into the aggregator's
/// event store, then merged.
/// </summary>
public sealed class MonthOfMinutesServer : DashboardServer
{
    public const int Meters = 50;
    public const int Minutes = 30 * 24 * 60;

    public string Key { get; private set; } = "";

    public DateTimeOffset SeededThrough { get; private set; }

    /// <summary>What the first meter's period-to-date total must show.</summary>
    public long FirstMeterPeriodTotal { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (SkipReason is not null)
        {
            return;
        }

        var tenant = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/tenants", AdminToken, new { name = "month-of-minutes" });
        Key = tenant.GetProperty("apiKey").GetString()!;
        var tenantId = tenant.GetProperty("id").GetString()!;
        for (var m = 0; m < Meters; m++)
        {
            await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", Key, new
            {
                slug = $"metric_{m:00}", name = $"Metric {m:00}", eventType = $"metric_{m:00}", aggregation = "SUM", valueProperty = "$.value", groupBy = new { region = "$.region" },
            });
        }

        // The 30 days up to the pages' now, so the period-to-date total is the same whatever the machine's clock says.
        var now = Now;
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var start = end.AddMinutes(-Minutes);
        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var store = App.Services.GetRequiredService<IEventStore>();
        string[] regions = ["eu", "us", "apac"];
        var clock = Stopwatch.StartNew();
        for (var m = 0; m < Meters; m++)
        {
            var batch = new List<StoredEvent>(Minutes);
            for (var i = 0; i < Minutes; i++)
            {
                var time = start.AddMinutes(i);
                var value = (i % 7) + 1;
                if (m == 0 && time >= periodStart)
                {
                    FirstMeterPeriodTotal += value;
                }

                batch.Add(new StoredEvent(
                    new EventIdentity(tenantId, "seed", $"{m}-{i}"),
                    $"metric_{m:00}",
                    i % 2 == 0 ? "cust-a" : "cust-b",
                    time,
                    $$"""{"value":{{value}},"region":"{{regions[i % 3]}}"}""",
                    time)
                {
                    IdentityDigest = ((UInt128)(ulong)m << 64) | (uint)i,
                    Partition = m % 4,
                    Position = i,
                });
            }

            await store.InsertAsync(batch, TestContext.Current.CancellationToken);
        }

        // 50 inserts leave 50-odd parts that ClickHouse's background merges fold together within minutes;
        // a month of data that arrived over a month is in that merged state, so measure it there.
        await App.Services.GetRequiredService<Tally.ClickHouse.IClickHouse>().ExecuteAsync("OPTIMIZE TABLE events FINAL", null, TestContext.Current.CancellationToken);
        SeededThrough = end;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {Meters * Minutes:N0} events in {clock.Elapsed.TotalSeconds:F1} s"));
    }
}
