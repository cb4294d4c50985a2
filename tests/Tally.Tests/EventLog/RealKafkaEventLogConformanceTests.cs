using Tally.Billing.EventLog;
using Tally.EventLog.Kafka;

namespace Tally.Tests.EventLog;

/// <summary>The event log conformance suite against a real Kafka broker (see <see cref="RealKafkaFixture"/>).</summary>
public sealed class RealKafkaEventLogConformanceTests(RealKafkaFixture kafka) : EventLogConformanceTests, IClassFixture<RealKafkaFixture>
{
    protected override IEventLog CreateLog() => new KafkaEventLog(kafka.OptionsForNewTopic());
}
