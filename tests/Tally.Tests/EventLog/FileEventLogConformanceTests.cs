using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;

namespace Tally.Tests.EventLog;

public sealed class FileEventLogConformanceTests : EventLogConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override IEventLog CreateLog() => FileEventLog.Open(_directory.Path, partitions: 4);

    protected override ValueTask DisposeLogResourcesAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
