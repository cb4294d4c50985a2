using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Tally.Host.Cli;

/// <summary>Follows close runs through the admin API: a progress bar per run while they work, then a summary table.</summary>
internal static class CloseProgress
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>0 when every run completed, 3 when some customers wait for approval or are parked, 1 when a tenant refused to start.</summary>
    public static async Task<int> FollowAsync(HttpClient client, JsonElement started, bool follow, CancellationToken cancellationToken)
    {
        var runs = started.GetProperty("runs").EnumerateArray().Select(r => r.Clone()).ToList();
        var refused = started.GetProperty("refused").EnumerateArray().Select(r => (Tenant: r.GetProperty("tenantId").GetString()!, Error: r.GetProperty("error").GetString()!)).ToList();
        if (follow && runs.Count > 0)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var bars = runs.Select(r => progress.AddTask(Label(r), maxValue: Math.Max(1, Progress(r, "total")))).ToList();
                    while (true)
                    {
                        for (var i = 0; i < runs.Count; i++)
                        {
                            runs[i] = await GetAsync(client, runs[i], cancellationToken);
                            bars[i].Value = Progress(runs[i], "done") + Progress(runs[i], "parked") + Progress(runs[i], "awaitingApproval");
                            bars[i].Description = Label(runs[i]);
                        }

                        if (runs.All(r => r.GetProperty("status").GetString() != "running"))
                        {
                            return;
                        }

                        await Task.Delay(Poll, cancellationToken);
                    }
                });
        }

        var table = new Table().AddColumns("tenant", "period", "run", "customers", "done", "awaiting approval", "parked", "status");
        foreach (var run in runs)
        {
            table.AddRow(
                Markup.Escape(run.GetProperty("tenantId").GetString()!),
                run.GetProperty("period").GetString()!,
                Markup.Escape(run.GetProperty("id").GetString()!),
                Number(Progress(run, "total")),
                Number(Progress(run, "done")),
                Number(Progress(run, "awaitingApproval")),
                Number(Progress(run, "parked")),
                run.GetProperty("status").GetString()!);
        }

        foreach (var (tenant, error) in refused)
        {
            table.AddRow(Markup.Escape(tenant), "", "", "", "", "", "", $"[red]refused[/]: {Markup.Escape(error)}");
        }

        AnsiConsole.Write(table);
        foreach (var run in runs.Where(r => Progress(r, "parked") > 0))
        {
            var tenant = run.GetProperty("tenantId").GetString()!;
            var tasks = await client.GetFromJsonAsync<JsonElement>($"/api/admin/close-runs/{tenant}/{run.GetProperty("id").GetString()}/tasks", cancellationToken);
            foreach (var task in tasks.EnumerateArray().Where(t => t.GetProperty("state").GetString() == "parked"))
            {
                AnsiConsole.MarkupLine($"[yellow]parked[/] {Markup.Escape(tenant)} / {Markup.Escape(task.GetProperty("customerId").GetString()!)} at {task.GetProperty("step").GetString()}: {Markup.Escape(task.GetProperty("error").GetString() ?? "")}");
            }
        }

        if (refused.Count > 0)
        {
            return 1;
        }

        return !follow || runs.All(r => r.GetProperty("status").GetString() == "completed") ? 0 : 3;
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, JsonElement run, CancellationToken cancellationToken) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/admin/close-runs/{run.GetProperty("tenantId").GetString()}/{run.GetProperty("id").GetString()}", cancellationToken);

    private static int Progress(JsonElement run, string name) => run.GetProperty("progress").GetProperty(name).GetInt32();

    private static string Label(JsonElement run) =>
        Markup.Escape($"{run.GetProperty("tenantId").GetString()} {run.GetProperty("period").GetString()}") +
        (Progress(run, "waitingForData") > 0 ? " [grey](waiting for data)[/]" : "");

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
