using System.Diagnostics;
using System.Text;
using Tally.Billing.EventLog;
using Tally.EventLog.Kafka;
using Xunit;

namespace Tally.Tests.EventLog;

public sealed class KafkaEventLogTests(MockKafkaFixture cluster) : IClassFixture<MockKafkaFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // A hang in librdkafka fails this test instead of the whole run's time budget.
    [Fact(Timeout = 180_000)]
    public async Task CommitAsync_PartitionMovedToNewGroupMember_ReturnsFalseAndNewMemberResumesAtCommitted()
    {
        await using var log = new KafkaEventLog(cluster.OptionsForNewTopic());
        var keys = Enumerable.Range(0, 40).Select(i => $"customer-{i}").ToList();
        await log.AppendAsync([.. keys.Select(k => new LogRecord(k, Encoding.UTF8.GetBytes(k)))], Token);
        await using var first = log.OpenConsumer("aggregator");
        var owned = new HashSet<int>();
        var clock = Stopwatch.StartNew();
        while (owned.Count < log.PartitionCount)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "first member never read every partition");
            if (await first.ReadAsync(100, TimeSpan.FromMilliseconds(500), Token) is { } batch)
            {
                owned.Add(batch.Partition);
            }
        }

        await using var second = log.OpenConsumer("aggregator");
        LogBatch? taken = null;
        while (taken is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "second member never got a partition");

            // Only a polling member takes part in the rebalance, so both keep reading.
            await first.ReadAsync(100, TimeSpan.FromMilliseconds(200), Token);
            taken = await second.ReadAsync(100, TimeSpan.FromMilliseconds(200), Token);
        }

        Assert.Equal(0, taken.FirstPosition);
        Assert.False(await first.CommitAsync(taken.Partition, taken.NextPosition, Token));
        Assert.True(await second.CommitAsync(taken.Partition, taken.NextPosition, Token));
        Assert.Equal(taken.NextPosition, await second.GetCommittedAsync(taken.Partition, Token));
    }
}
