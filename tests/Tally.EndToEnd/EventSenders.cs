using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Tally.EndToEnd;

/// <summary>
/// Several clients posting batches of new events to the gateway until stopped, each batch also re-sending one of its
/// sender's earlier events unchanged (the aggregator must count it once). Remembers every event acknowledged with
/// 204 and every other answer; can be paused (no request in flight once <see cref="PauseAsync"/> returns).
/// </summary>
internal sealed class EventSenders : IAsyncDisposable
{
    public const string Source = "outage";
    public const string EventType = "call";
    private const int BatchSize = 20;
    private static readonly DateTimeOffset Epoch = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly PipelineApi _client;
    private readonly string _key;
    private readonly ConcurrentDictionary<string, int> _acknowledged = new();
    private readonly ConcurrentQueue<string> _refusals = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Lock _busyLock = new();
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _busy;

    // Completed whenever no sender is inside its request (set by the last one out, replaced by the first one in).
    private TaskCompletionSource _idle = Completed();

    public EventSenders(PipelineApi client, string key, int senders)
    {
        _client = client;
        _key = key;
        for (var sender = 0; sender < senders; sender++)
        {
            var id = sender;
            _loops.Add(Task.Run(() => LoopAsync(id)));
        }
    }

    /// <summary>Distinct events acknowledged with 204.</summary>
    public long Acknowledged => _acknowledged.Count;

    /// <summary>The sum of the <c>ms</c> values of the events acknowledged.</summary>
    public decimal AcknowledgedMs => _acknowledged.Values.Sum(v => (decimal)v);

    /// <summary>Every answer other than 204, and every failed request.</summary>
    public IReadOnlyList<string> Refusals => [.. _refusals];

    public void Resume() => Volatile.Read(ref _open).TrySetResult();

    /// <summary>Stops sending; returns once no request is in flight.</summary>
    public async Task PauseAsync()
    {
        if (Volatile.Read(ref _open).Task.IsCompleted)
        {
            Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        Task idle;
        lock (_busyLock)
        {
            idle = _idle.Task;
        }

        // A request in flight ends within the client's own timeout; a sender that passes the gate after this sees it shut.
        await idle.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Waits until at least <paramref name="count"/> events have been acknowledged.</summary>
    public Task AcknowledgedAtLeastAsync(long count, TimeSpan timeout) =>
        Eventually.EqualsAsync(true, () => Task.FromResult(Acknowledged >= count || !_refusals.IsEmpty), timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    public static int Ms(int sender, int n) => ((sender * 7) + (n * 31 % 100)) + 1;

    private async Task LoopAsync(int sender)
    {
        var sent = 0;
        while (true)
        {
            try
            {
                await Volatile.Read(ref _open).Task.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_busyLock)
            {
                if (_busy++ == 0)
                {
                    _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            try
            {
                // Paused between the wait and here: no request.
                if (!Volatile.Read(ref _open).Task.IsCompleted)
                {
                    continue;
                }

                var numbers = Enumerable.Range(sent, BatchSize).ToList();
                if (sent > 0)
                {
                    numbers.Add((sent * 7) % sent);
                }

                var body = "[" + string.Join(',', numbers.Select(n => Event(sender, n))) + "]";
                try
                {
                    var (status, problem) = await _client.PostEventsAsync(_key, "application/cloudevents-batch+json", body);
                    if (status == HttpStatusCode.NoContent)
                    {
                        foreach (var n in numbers)
                        {
                            _acknowledged[Id(sender, n)] = Ms(sender, n);
                        }

                        sent += BatchSize;
                    }
                    else
                    {
                        _refusals.Enqueue($"{(int)status}: {problem}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    _refusals.Enqueue(ex.Message);
                }
            }
            finally
            {
                lock (_busyLock)
                {
                    if (--_busy == 0)
                    {
                        _idle.TrySetResult();
                    }
                }
            }
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private static string Id(int sender, int n) => string.Create(CultureInfo.InvariantCulture, $"s{sender}-{n}");

    private static string Event(int sender, int n) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"specversion":"1.0","id":"{{{Id(sender, n)}}}","source":"{{{Source}}}","type":"{{{EventType}}}","subject":"cust-{{{n % 11}}}","time":"{{{Epoch.AddSeconds(n).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}}","data":{"ms":{{{Ms(sender, n)}}}}}""");
}
