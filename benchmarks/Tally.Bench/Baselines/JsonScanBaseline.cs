using System.Diagnostics;
using System.Text.Json;

namespace Tally.Bench.Baselines;

/// <summary>
/// The floor under parsing: only tokenizing the same request bodies with <see cref="Utf8JsonReader"/>
/// on one thread (no validation, no output). The best of three passes, in events per second.
/// </summary>
public static class JsonScanBaseline
{
    public static double Run(IReadOnlyList<byte[]> bodies, long events)
    {
        var best = TimeSpan.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            long tokens = 0;
            foreach (var body in bodies)
            {
                var reader = new Utf8JsonReader(body);
                while (reader.Read())
                {
                    tokens++;
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            best = elapsed < best && tokens > 0 ? elapsed : best;
        }

        return events / best.TotalSeconds;
    }
}
