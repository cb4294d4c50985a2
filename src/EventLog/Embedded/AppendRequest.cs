using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>One caller's records waiting for the writer loop; no records asks the writer for a health probe.</summary>
internal sealed class AppendRequest(IReadOnlyList<LogRecord> records)
{
    public IReadOnlyList<LogRecord> Records { get; } = records;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
