using System.ComponentModel.DataAnnotations;

namespace Tally.Aggregator;

/// <summary>Configuration section <c>Aggregator</c>.</summary>
public sealed class AggregatorOptions
{
    public const string SectionName = "Aggregator";

    /// <summary>Consumer group of the aggregators; all aggregator processes of one deployment share it.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Aggregator:ConsumerGroup must not be empty.")]
    public string ConsumerGroup { get; set; } = "tally-aggregator";

    /// <summary>Most records of one cycle (over every partition it reads), i.e. of one ClickHouse INSERT.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Aggregator:MaxBatchRecords must be between 1 and 1000000.")]
    public int MaxBatchRecords { get; set; } = 5_000;

    /// <summary>How long a cycle's first read waits for records before the loop comes round again.</summary>
    [Range(1, 60_000, ErrorMessage = "Aggregator:MaxWaitMilliseconds must be between 1 and 60000.")]
    public int MaxWaitMilliseconds { get; set; } = 200;

    /// <summary>Pause after a failed write before the same batch is retried.</summary>
    [Range(1, 600_000, ErrorMessage = "Aggregator:RetryDelayMilliseconds must be between 1 and 600000.")]
    public int RetryDelayMilliseconds { get; set; } = 1_000;

    /// <summary>How often settled hours are rolled up (and changed ones rolled up again).</summary>
    [Range(1, 3_600, ErrorMessage = "Aggregator:RollupIntervalSeconds must be between 1 and 3600.")]
    public int RollupIntervalSeconds { get; set; } = 10;

    /// <summary>How long after an hour ends it is left to settle (late events) before its first roll-up.</summary>
    [Range(0, 1_440, ErrorMessage = "Aggregator:RollupLatenessMinutes must be between 0 and 1440.")]
    public int RollupLatenessMinutes { get; set; } = 5;

    /// <summary>How often tenants' event retention is applied.</summary>
    [Range(1, 10_080, ErrorMessage = "Aggregator:RetentionIntervalMinutes must be between 1 and 10080.")]
    public int RetentionIntervalMinutes { get; set; } = 60;
}
