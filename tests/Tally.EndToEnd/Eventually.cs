namespace Tally.EndToEnd;

/// <summary>
/// Waits for a condition another process makes true (the aggregator catching up), re-checking it
/// until it holds or the timeout passes. It never sleeps a fixed time to "let things settle":
/// it returns as soon as the condition holds and fails with the last observed value otherwise.
/// </summary>
public static class Eventually
{
    public static async Task<T> EqualsAsync<T>(T expected, Func<Task<T>> observe, TimeSpan timeout)
    {
        // A monotonic clock: this machine's wall clock can stall or jump.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        T observed;
        while (true)
        {
            observed = await observe();
            if (EqualityComparer<T>.Default.Equals(observed, expected) || System.Diagnostics.Stopwatch.GetElapsedTime(started) > timeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(expected, observed);
        return observed;
    }
}
