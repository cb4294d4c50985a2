namespace Tally.Billing.Usage;

/// <summary>
/// Which usage delta events a rating grain has applied: per subject and log partition, the last
/// position. Positions only grow within a (subject, partition), since the aggregator publishes a
/// partition's batches in log order and one subject's deltas stay in order on the delta topic; so an
/// event at or below the mark was applied already (a replay, a republished batch after a crash, a
/// zombie aggregator's copy, or an event the grain's usage snapshot already holds) and is skipped.
/// </summary>
public sealed class DeltaWatermarks
{
    private readonly Dictionary<(string Subject, int Partition), long> _marks = [];

    public int Count => _marks.Count;

    /// <summary>Starts again from a usage snapshot's cut: every event at or below it is in the snapshot.</summary>
    public void Reset(IReadOnlyDictionary<(string Subject, int Partition), long> cut)
    {
        _marks.Clear();
        foreach (var (key, position) in cut)
        {
            _marks[key] = position;
        }
    }

    /// <summary>The delta's events not applied yet, in order; the mark moves past each one returned.</summary>
    public IReadOnlyList<DeltaEvent> Fresh(UsageDelta delta)
    {
        var key = (delta.Subject, delta.Partition);
        var mark = _marks.GetValueOrDefault(key, -1);
        var fresh = new List<DeltaEvent>(delta.Events.Count);
        foreach (var e in delta.Events)
        {
            if (e.Position > mark)
            {
                fresh.Add(e);
                mark = e.Position;
            }
        }

        _marks[key] = mark;
        return fresh;
    }
}
