using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tally.Billing.Tenants;
using Tally.ServiceDefaults;

namespace Tally.Host.Cli;

/// <summary>Operator shortcuts that call a running Tally's admin API with the admin token.</summary>
internal static class AdminCommands
{
    public static Command Tenant()
    {
        var name = new Argument<string>("name") { Description = "Display name of the new tenant." };
        var url = CommonOptions.Url();
        var token = CommonOptions.AdminToken();
        var dataDir = CommonOptions.DataDir();
        var create = new Command("create", "Create a tenant; prints only its API key on stdout.") { name, url, token, dataDir };
        create.SetAction(async (result, cancellationToken) =>
        {
            using var client = Client(result.GetValue(url)!, result.GetValue(token), result.GetValue(dataDir)!);
            if (client is null)
            {
                return 2;
            }

            using var response = await client.PostAsJsonAsync("/api/admin/tenants", new { name = result.GetValue(name) }, cancellationToken);
            var body = await ReadAsync(response, cancellationToken);
            if (body is null)
            {
                return 1;
            }

            Console.Out.WriteLine(body.Value.GetProperty("apiKey").GetString());
            return 0;
        });
        var tenant = new Command("tenant", "Manage tenants.");
        tenant.Subcommands.Add(create);
        return tenant;
    }

    public static Command Close()
    {
        var period = new Option<string>("--period") { Description = "Billing period to close, yyyy-MM (e.g. 2026-11).", Required = true };
        var tenantId = new Option<string?>("--tenant") { Description = "Close only this tenant (default: every tenant)." };
        var customerId = new Option<string?>("--customer") { Description = "Close only this customer (id or key; needs --tenant)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Rate and check, store and issue nothing; print what would be invoiced." };
        var rerun = new Option<bool>("--rerun") { Description = "Re-run a closed period: differences become adjustment invoices or credit notes." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the runs and exit without following them." };
        var url = CommonOptions.Url();
        var token = CommonOptions.AdminToken();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("close", "Close a billing period: one invoice per subscribed customer, issued exactly once; follows the runs with a progress bar.")
        {
            period, tenantId, customerId, dryRun, rerun, noWait, url, token, dataDir,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(customerId) is not null && result.GetValue(tenantId) is null)
            {
                Console.Error.WriteLine("--customer needs --tenant: a customer belongs to one tenant.");
                return 2;
            }

            using var client = Client(result.GetValue(url)!, result.GetValue(token), result.GetValue(dataDir)!);
            if (client is null)
            {
                return 2;
            }

            using var response = await client.PostAsJsonAsync(
                "/api/admin/close-runs",
                new
                {
                    period = result.GetValue(period),
                    tenantId = result.GetValue(tenantId),
                    customerId = result.GetValue(customerId),
                    dryRun = result.GetValue(dryRun),
                    kind = result.GetValue(rerun) ? "rerun" : "close",
                },
                cancellationToken);
            var body = await ReadAsync(response, cancellationToken);
            if (body is null)
            {
                return 1;
            }

            return await CloseProgress.FollowAsync(client, body.Value, follow: !result.GetValue(noWait), cancellationToken);
        });
        return command;
    }

    private static HttpClient? Client(string url, string? token, string dataDir)
    {
        token ??= Environment.GetEnvironmentVariable("TALLY_ADMIN_TOKEN");
        var tokenFile = Path.Combine(dataDir, "admin-token");
        if (string.IsNullOrEmpty(token) && File.Exists(tokenFile))
        {
            token = File.ReadAllText(tokenFile).Trim();
        }

        if (string.IsNullOrEmpty(token))
        {
            Console.Error.WriteLine($"No admin token: pass --admin-token, set TALLY_ADMIN_TOKEN, or point --data-dir at the server's data directory ({tokenFile} not found).");
            return null;
        }

        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"Tally answered {(int)response.StatusCode}: {text}");
            return null;
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
