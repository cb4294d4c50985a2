namespace Tally.Bench.Generation;

/// <summary>
/// One generated usage event: its CloudEvent JSON as sent over HTTP, the parts the gRPC form needs, and
/// the values the meters read, kept as numbers so the expected totals are exact.
/// </summary>
/// <param name="Sequence">The event's number in the run; its id is derived from it.</param>
/// <param name="Tenant">Index of the tenant sending it.</param>
/// <param name="Type">The CloudEvent type (a prompt or a storage event).</param>
/// <param name="Subject">The customer.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Data">The data object's JSON text.</param>
/// <param name="Json">The whole CloudEvent's JSON text.</param>
public sealed record GeneratedEvent(long Sequence, int Tenant, string Type, string Subject, DateTimeOffset Time, string Data, string Json)
{
    public const string Source = "tally-bench";
    public const string PromptType = "prompt";
    public const string StorageType = "storage";

    public string Id => "e" + Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A re-send of an event sent earlier (identical bytes): it must count once.</summary>
    public bool Duplicate { get; init; }

    /// <summary>Its time lies one to two days before the run.</summary>
    public bool Late { get; init; }

    public int Tokens { get; init; }

    /// <summary>Thousandths of a millisecond (three decimals in the JSON).</summary>
    public long LatencyMilli { get; init; }

    /// <summary>Hundredths of a gigabyte (two decimals in the JSON).</summary>
    public long GbCenti { get; init; }

    /// <summary>The groupBy value (<c>model</c> of a prompt, <c>bucket</c> of a storage event).</summary>
    public string Group { get; init; } = "";

    public string Region { get; init; } = "";

    public string User { get; init; } = "";
}

/// <summary>One request's worth of events, all from one tenant (one API key per request).</summary>
public sealed record GeneratedBatch(long Index, int Tenant, GeneratedEvent[] Events);
