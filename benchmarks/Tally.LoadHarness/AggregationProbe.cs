using System.Diagnostics;

namespace Tally.LoadHarness;

/// <summary>When the COUNT meter reached the number of events sent, and how far behind it was when ingest ended.</summary>
public sealed record AggregationResult(TimeSpan? SinceFirstSend, decimal CountAtIngestEnd, decimal FinalCount, int Polls);

/// <summary>Polls the COUNT meter's query until it equals the events sent, a bounded number of times.</summary>
public static class AggregationProbe
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task<AggregationResult> WaitForCountAsync(
        TallyAdminClient client, string apiKey, string slug, long expected, long firstSendTimestamp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var maxPolls = (int)(timeout / Interval);
        decimal? atIngestEnd = null;
        decimal count = 0;
        for (var poll = 1; poll <= maxPolls; poll++)
        {
            count = await client.TotalAsync(apiKey, slug, cancellationToken);
            atIngestEnd ??= count;

            // Above the expected count means events were counted twice: no point waiting longer.
            if (count >= expected)
            {
                return new AggregationResult(count == expected ? Stopwatch.GetElapsedTime(firstSendTimestamp) : null, atIngestEnd.Value, count, poll);
            }

            await Task.Delay(Interval, cancellationToken);
        }

        return new AggregationResult(null, atIngestEnd ?? 0, count, maxPolls);
    }
}
