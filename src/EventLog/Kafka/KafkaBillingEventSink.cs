using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Tally.Billing.Closing;

namespace Tally.EventLog.Kafka;

/// <summary>
/// Billing events onto <see cref="KafkaOptions.BillingEventsTopic"/>: key the tenant (one tenant's events
/// stay in order), value a JSON envelope <c>{id, type, tenantId, invoiceId, createdAt, data}</c>; consumers
/// deduplicate on <c>id</c>. Idempotent producer, all in-sync replicas.
/// </summary>
public sealed class KafkaBillingEventSink : IBillingEventSink, IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;

    public KafkaBillingEventSink(KafkaOptions options)
    {
        _topic = options.BillingEventsTopic;
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig(new Dictionary<string, string>(options.Settings))
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build();
    }

    public async Task PublishAsync(IReadOnlyList<BillingEventRecord> events, CancellationToken cancellationToken)
    {
        var deliveries = events.Select(e => _producer.ProduceAsync(
            _topic,
            new Message<string, byte[]>
            {
                Key = e.TenantId,
                Value = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
                {
                    id = e.Id,
                    type = e.Type,
                    tenantId = e.TenantId,
                    invoiceId = e.InvoiceId,
                    createdAt = e.CreatedAt,
                    data = JsonDocument.Parse(e.Payload).RootElement,
                }, JsonSerializerOptions.Web)),
            },
            cancellationToken)).ToList();
        await Task.WhenAll(deliveries);
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
