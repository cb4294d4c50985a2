namespace Tally.Billing.EventLog;

/// <summary>How far the log has been written and how far a consumer group has committed, per partition.</summary>
public interface IEventLogProgress
{
    /// <summary>Every partition's end: the position the next appended record will get.</summary>
    ValueTask<IReadOnlyList<long>> GetEndPositionsAsync(CancellationToken cancellationToken);

    /// <summary>Every partition's committed position of <paramref name="group"/> (0 where it never committed), read without joining the group.</summary>
    ValueTask<IReadOnlyList<long>> GetCommittedPositionsAsync(string group, CancellationToken cancellationToken);
}
