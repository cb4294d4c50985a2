using System.Diagnostics;
using Confluent.Kafka;

namespace Tally.EventLog.Kafka;

/// <summary>Reads the event topic's partition count, which decides where each key goes.</summary>
internal static class KafkaTopicMetadata
{
    /// <summary>
    /// Asks the cluster for <see cref="KafkaOptions.Topic"/>'s partitions (a metadata request auto-creates the topic
    /// where the cluster allows that), retrying while a just-created topic has no leader yet.
    /// </summary>
    /// <exception cref="InvalidOperationException">No partitions within <paramref name="timeout"/> (no broker, or no topic).</exception>
    public static int ReadPartitionCount(Handle handle, KafkaOptions options, TimeSpan timeout)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            TopicMetadata? topic = null;
            string? failure = null;
            try
            {
                topic = admin.GetMetadata(options.Topic, remaining < TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5)).Topics.SingleOrDefault();
            }
            catch (KafkaException ex)
            {
                failure = ex.Error.Reason;
            }

            if (topic is { Error.IsError: false, Partitions.Count: > 0 })
            {
                return topic.Partitions.Count;
            }

            if (Stopwatch.GetElapsedTime(started) >= timeout)
            {
                throw new InvalidOperationException(
                    $"Kafka topic '{options.Topic}' at '{options.BootstrapServers}' has no partitions after {timeout.TotalSeconds:0}s ({failure ?? topic?.Error.Reason ?? "no metadata"}). Create the topic or enable auto-creation.");
            }

            // A just auto-created topic reports LEADER_NOT_AVAILABLE for a moment.
            Thread.Sleep(100);
        }
    }
}
