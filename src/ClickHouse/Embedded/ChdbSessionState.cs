using System.Text;
using Microsoft.Extensions.Logging;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// What the single chDB connection currently has selected (database, settings). Each HTTP request
/// is stateless in ClickHouse, but chDB's connection is a session, so before a statement the shim
/// switches database and settings to what that request asked for. Only used under the engine's lock.
/// </summary>
internal sealed class ChdbSessionState
{
    private readonly Dictionary<string, string> appliedSettings = new(StringComparer.Ordinal);
    private HashSet<string>? knownSettings;
    private string currentDatabase = "default";

    /// <summary>The engine's time zone, reported to the driver for DateTime columns without one.</summary>
    public string ServerTimezone { get; private set; } = "UTC";

    public byte[] Run(
        ChdbEngine engine,
        string database,
        IReadOnlyList<KeyValuePair<string, string>> settings,
        byte[] sql,
        string format,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        ILogger logger)
    {
        if (knownSettings is null)
        {
            knownSettings = Lines(engine, "SELECT name FROM system.settings").ToHashSet(StringComparer.Ordinal);
            ServerTimezone = Lines(engine, "SELECT timezone()").FirstOrDefault() ?? "UTC";
        }

        if (database != currentDatabase)
        {
            Execute(engine, $"USE {QuoteIdentifier(database)}");
            currentDatabase = database;
        }

        foreach (var (name, value) in settings)
        {
            if (!knownSettings.Contains(name))
            {
                // Clients send settings newer than, or foreign to, this engine; a server would reject
                // them, but the shim's job is to stay out of the way of the driver.
                ClickHouseLog.SettingIgnored(logger, name);
                continue;
            }

            if (appliedSettings.TryGetValue(name, out var applied) && applied == value)
            {
                continue;
            }

            Execute(engine, $"SET {QuoteIdentifier(name)} = {QuoteString(value)}");
            appliedSettings[name] = value;
        }

        return engine.QueryUnderLock(sql, format, parameters);
    }

    private static void Execute(ChdbEngine engine, string sql) =>
        engine.QueryUnderLock(Encoding.UTF8.GetBytes(sql), "TabSeparated", null);

    private static string[] Lines(ChdbEngine engine, string sql) =>
        Encoding.UTF8.GetString(engine.QueryUnderLock(Encoding.UTF8.GetBytes(sql), "TabSeparatedRaw", null))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string QuoteIdentifier(string name) => "`" + name.Replace("\\", "\\\\").Replace("`", "\\`") + "`";

    private static string QuoteString(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
