using System.Text.Json;

namespace Tally.Browser;

/// <summary>Figures measured in the browser, written next to the screenshots as browser-metrics.json.</summary>
public static class Metrics
{
    private static readonly Lock Gate = new();

    public static void Record(string name, object value)
    {
        lock (Gate)
        {
            var path = Path.Combine(Screenshots.Directory, "..", "browser-metrics.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var figures = File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path)) ?? []
                : [];
            figures[name] = JsonSerializer.SerializeToElement(value);
            figures["measuredAt"] = JsonSerializer.SerializeToElement(DateTimeOffset.UtcNow);
            File.WriteAllText(path, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
