using Tally.Core.EventLog;
using Xunit;
using Tally.Core.EventLog.Kafka;

namespace Tally.Tests.EventLog;

public sealed class KafkaEventLogConformanceTests(MockKafkaFixture cluster) : EventLogConformanceTests, IClassFixture<MockKafkaFixture>
{
    protected override IEventLog CreateLog() => new KafkaEventLog(cluster.OptionsForNewTopic());
}
