using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.IngestBuffer;
using Tally.EventLog.Kafka;

namespace Tally.EventLog;

/// <summary>Registers the usage event log.</summary>
public static class EventLogServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start-up) the <c>EventLog</c> and <c>Kafka</c> sections and registers
    /// <see cref="IEventLog"/> as a singleton: the Kafka log when <c>Kafka:BootstrapServers</c> is set,
    /// otherwise the embedded log under <c>EventLog:Directory</c> or <c>{data-dir}/log</c>. In a process that
    /// <paramref name="ingests"/>, the Kafka log is buffered (<see cref="BufferedKafkaEventLog"/>, unless
    /// <c>EventLog:BufferEnabled</c> is false): appends are acknowledged from a local buffer under
    /// <c>EventLog:BufferDirectory</c> or <c>{data-dir}/ingest-buffer</c> and forwarded to Kafka.
    /// </summary>
    public static IServiceCollection AddTallyEventLog(this IServiceCollection services, IConfiguration configuration, string dataDirectory, bool ingests = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        services.AddOptions<EventLogOptions>()
            .Bind(configuration.GetSection(EventLogOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<KafkaOptions>()
            .Bind(configuration.GetSection(KafkaOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IEventLog>(provider =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var kafka = provider.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var options = provider.GetRequiredService<IOptions<EventLogOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(kafka.BootstrapServers))
            {
                return ingests && options.BufferEnabled
                    ? BufferedKafkaEventLog.Open(
                        kafka,
                        options.BufferDirectory ?? Path.Combine(Path.GetFullPath(dataDirectory), "ingest-buffer"),
                        options.BufferMaxBytes,
                        loggers,
                        provider.GetService<TimeProvider>(),
                        provider.GetService<IMeterFactory>())
                    : new KafkaEventLog(kafka, loggers.CreateLogger<KafkaEventLog>());
            }

            return FileEventLog.Open(
                options.Directory ?? Path.Combine(Path.GetFullPath(dataDirectory), "log"),
                options.Partitions,
                options.SegmentBytes,
                loggers.CreateLogger<FileEventLog>(),
                provider.GetService<TimeProvider>());
        });

        if (ingests && !string.IsNullOrWhiteSpace(configuration[$"{KafkaOptions.SectionName}:BootstrapServers"])
            && configuration.GetValue($"{EventLogOptions.SectionName}:BufferEnabled", true))
        {
            services.AddHostedService<IngestBufferDrain>();
        }

        // Both logs report their progress; the period close waits on it.
        services.AddSingleton(provider => (IEventLogProgress)provider.GetRequiredService<IEventLog>());
        if (!string.IsNullOrWhiteSpace(configuration[$"{KafkaOptions.SectionName}:BootstrapServers"]))
        {
            services.AddSingleton<Billing.Closing.IBillingEventSink>(provider => new KafkaBillingEventSink(provider.GetRequiredService<IOptions<KafkaOptions>>().Value));
        }

        return services;
    }
}
