namespace Tally.Aggregator;

/// <summary>
/// The steps of the aggregator's cycle, as the <c>phase</c> tag of <c>tally.aggregator.cycle.phase.duration</c>:
/// where a batch's time goes, from the log read to the committed position.
/// </summary>
public static class CyclePhase
{
    /// <summary>Waiting for and reading a batch from the log.</summary>
    public const string Read = "read";

    /// <summary>Reading the logged events and computing their identity and payload digests.</summary>
    public const string Decode = "decode";

    /// <summary>Looking the identities up in the identity index and judging them new, re-sent or conflicting.</summary>
    public const string Lookup = "lookup";

    /// <summary>Encoding the new events and inserting them into the store (durable when it returns).</summary>
    public const string InsertEvents = "insert_events";

    /// <summary>Marking the hours the events fall in as touched, for the roll-ups.</summary>
    public const string InsertHours = "insert_hours";

    /// <summary>Storing rejected records in the dead-letter table.</summary>
    public const string InsertRejected = "insert_rejected";

    /// <summary>Publishing the stored events to the usage delta log for the rating grains.</summary>
    public const string Publish = "publish";

    /// <summary>Adding the stored identities to the identity index (fsync).</summary>
    public const string IdentityAdd = "identity_add";

    /// <summary>Committing the log position (fsync).</summary>
    public const string Commit = "commit";
}
