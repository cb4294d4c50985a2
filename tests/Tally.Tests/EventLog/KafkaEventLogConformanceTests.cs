using Tally.Billing.EventLog;
using Tally.EventLog.Kafka;
using Xunit;

namespace Tally.Tests.EventLog;

public sealed class KafkaEventLogConformanceTests(MockKafkaFixture cluster) : EventLogConformanceTests, IClassFixture<MockKafkaFixture>
{
    protected override IEventLog CreateLog() => new KafkaEventLog(cluster.OptionsForNewTopic());
}
