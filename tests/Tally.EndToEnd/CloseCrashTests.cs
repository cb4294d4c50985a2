using Tally.FakeStripe;

namespace Tally.EndToEnd;

/// <summary>
/// SIGKILLs <c>tally up</c> ten times while it closes October for 5,000 customers on the embedded
/// defaults, restarting it on the same <c>--data-dir</c> each time (leases of 5 s, so a dead worker's
/// tasks are resumed quickly). Every customer must end with exactly one invoice of the exact expected
/// total, the numbers must run from INV-000001 to INV-005000 without a gap, and the history must show
/// the tasks a restarted worker resumed.
/// </summary>
public sealed class CloseCrashTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_close-crash";
    private const int Customers = 5_000;
    private const int Kills = 10;
    private StripeFake _stripe = null!;
    private KillableUp _up = null!;

    public async ValueTask InitializeAsync()
    {
        // Stripe answers each call after 20 ms, so kills land while pushes are in flight.
        _stripe = await StripeFake.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _stripe.Latency = TimeSpan.FromMilliseconds(20);
        _up = new KillableUp(new Dictionary<string, string>(CloseScenario.Settings(AdminToken, _stripe)) { ["TALLY_Close__BatchSize"] = "250" });
    }

    [Fact]
    public async Task Up_KilledTenTimesDuringACloseOfFiveThousandCustomers_EachGetsExactlyOneExactInvoice()
    {
        using var api = new PipelineApi(_up.BaseUrl, _up.BaseUrl);
        await _up.StartAsync();
        var close = new CloseScenario(api, AdminToken, Customers, "Closing");
        await close.SetUpAsync();

        var runId = await close.StartCloseAsync();
        var random = new Random(20261127);
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Half the kills wait for the run to get a tenth further, half come at a random moment after the restart.
            if (kill % 2 == 0)
            {
                var target = Customers * kill / (Kills + 2);
                await Eventually.EqualsAsync(true, async () => await close.DoneAsync(runId) >= target, TimeSpan.FromMinutes(5));
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 2_500)), TestContext.Current.CancellationToken);
            }

            await _up.KillAndRestartAsync();
        }

        await Eventually.EqualsAsync("completed", () => close.StatusAsync(runId), TimeSpan.FromMinutes(10));

        await close.AssertExactlyOneInvoiceEachAsync(_stripe);
        var entries = await close.HistoryAsync(runId);
        Assert.Contains(entries, e => e.GetProperty("outcome").GetString() == "resumed");
        Assert.Equal(Customers, entries.Count(e => e.GetProperty("outcome").GetString() == "issued"));
        Assert.True(entries.Select(e => e.GetProperty("worker").GetString()).Distinct().Count() > 2, "the run's work should have been done by several of the restarted processes");
        Assert.Equal(Kills + 1, _up.Starts);
    }

    public async ValueTask DisposeAsync()
    {
        await _up.DisposeAsync();
        await _stripe.DisposeAsync();
    }
}
