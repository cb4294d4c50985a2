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
        var tenantId = new Option<string?>("--tenant") { Description = "Close only this tenant (default: all tenants)." };
        var url = CommonOptions.Url();
        var token = CommonOptions.AdminToken();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("close", "Close a billing period: one invoice per subscribed customer, issued exactly once.") { period, tenantId, url, token, dataDir };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = Client(result.GetValue(url)!, result.GetValue(token), result.GetValue(dataDir)!);
            if (client is null)
            {
                return 2;
            }

            using var response = await client.PostAsJsonAsync(
                "/api/admin/period-closes", new { period = result.GetValue(period), tenantId = result.GetValue(tenantId) }, cancellationToken);
            var body = await ReadAsync(response, cancellationToken);
            if (body is null)
            {
                return 1;
            }

            Console.Out.WriteLine(JsonSerializer.Serialize(body.Value, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
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
