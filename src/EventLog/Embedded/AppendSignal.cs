namespace Tally.EventLog.Embedded;

/// <summary>
/// Wakes waiting readers when records become durable. A reader takes <see cref="Next"/> before
/// checking for data, so a publish between its check and its wait is never missed.
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _current = NewSource();

    public Task Next => Volatile.Read(ref _current).Task;

    public void Pulse() => Interlocked.Exchange(ref _current, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
