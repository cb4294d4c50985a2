using System.ComponentModel.DataAnnotations;

namespace Tally.EventLog;

/// <summary>Configuration section <c>EventLog</c> (embedded log) and <c>Kafka</c> (production log).</summary>
public sealed class EventLogOptions
{
    public const string SectionName = "EventLog";

    /// <summary>Directory of the embedded log; defaults to <c>{data-dir}/log</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Directory of the embedded usage delta log (aggregator to rating); defaults to <c>{data-dir}/usage-log</c>.</summary>
    public string? UsageDirectory { get; set; }

    /// <summary>Partitions of the embedded log. Fixed when the log is first created.</summary>
    [Range(1, 1024, ErrorMessage = "EventLog:Partitions must be between 1 and 1024.")]
    public int Partitions { get; set; } = 4;

    /// <summary>Segment size before the embedded log rolls to a new file.</summary>
    [Range(1024 * 1024, 4L * 1024 * 1024 * 1024, ErrorMessage = "EventLog:SegmentBytes must be between 1 MiB and 4 GiB.")]
    public long SegmentBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Kafka mode: whether an ingest gateway acknowledges events once they are durable in its local buffer and forwards
    /// them to Kafka (true), or only once Kafka acknowledged them, answering 503 while Kafka is slow or away (false).
    /// </summary>
    public bool BufferEnabled { get; set; } = true;

    /// <summary>Directory of the ingest gateway's buffer in Kafka mode; defaults to <c>{data-dir}/ingest-buffer</c>.</summary>
    public string? BufferDirectory { get; set; }

    /// <summary>The most bytes the buffer's files may hold; past it ingest answers 503 with Retry-After.</summary>
    [Range(1024 * 1024, 1024L * 1024 * 1024 * 1024, ErrorMessage = "EventLog:BufferMaxBytes must be between 1 MiB and 1 TiB.")]
    public long BufferMaxBytes { get; set; } = 1024L * 1024 * 1024;
}

/// <summary>Configuration section <c>Kafka</c>. Setting <see cref="BootstrapServers"/> switches the log to Kafka.</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    public string? BootstrapServers { get; set; }

    [Required(AllowEmptyStrings = false, ErrorMessage = "Kafka:Topic must not be empty.")]
    public string Topic { get; set; } = "tally.events";

    /// <summary>Topic of billing events (invoice issued, voided, a close that needs a person), keyed by tenant.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Kafka:BillingEventsTopic must not be empty.")]
    public string BillingEventsTopic { get; set; } = "tally.billing-events";

    /// <summary>The usage delta topic the aggregator publishes stored usage to, for the rating grains.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Kafka:UsageTopic must not be empty.")]
    public string UsageTopic { get; set; } = "tally.usage";

    /// <summary>Extra librdkafka settings (e.g. <c>security.protocol</c>, <c>sasl.*</c>) passed through unchanged.</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);
}
