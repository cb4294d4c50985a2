using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Tally.Bench.Generation;
using Tally.Ingest.Grpc.V1;

namespace Tally.Bench.Load;

/// <summary>Sends one batch and returns the bytes it put on the wire; throws when Tally did not acknowledge it.</summary>
public interface IBatchSender : IDisposable
{
    string Protocol { get; }

    Task<long> SendAsync(GeneratedBatch batch, string apiKey, CancellationToken cancellationToken);
}

/// <summary><c>POST /api/v1/events</c> as a CloudEvents batch, over one keep-alive connection.</summary>
public sealed class HttpBatchSender(Uri baseUrl) : IBatchSender
{
    private static readonly MediaTypeHeaderValue BatchType = new("application/cloudevents-batch+json");

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 1,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public string Protocol => "http";

    public async Task<long> SendAsync(GeneratedBatch batch, string apiKey, CancellationToken cancellationToken)
    {
        var body = Body(batch);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = BatchType;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await _client.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            // Never retried: a retry would hide a lost or partly stored batch from the totals check.
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"HTTP batch {batch.Index}: {(int)response.StatusCode} {problem}"));
        }

        return body.Length;
    }

    /// <summary>The batch as the <c>application/cloudevents-batch+json</c> body.</summary>
    public static byte[] Body(GeneratedBatch batch)
    {
        var json = new StringBuilder(batch.Events.Length * 260).Append('[');
        for (var i = 0; i < batch.Events.Length; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(batch.Events[i].Json);
        }

        return Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }

    public void Dispose() => _client.Dispose();
}

/// <summary><c>tally.ingest.v1.IngestService/IngestBatch</c> (unary) over one HTTP/2 channel.</summary>
public sealed class GrpcBatchSender(Uri grpcUrl) : IBatchSender
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(grpcUrl);

    public string Protocol => "grpc";

    public async Task<long> SendAsync(GeneratedBatch batch, string apiKey, CancellationToken cancellationToken)
    {
        var message = Message(batch);
        var client = new IngestService.IngestServiceClient(_channel);
        var reply = await client.IngestBatchAsync(message, new Metadata { { "authorization", $"Bearer {apiKey}" } }, cancellationToken: cancellationToken);
        if (reply.Accepted != batch.Events.Length)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"gRPC batch {batch.Index}: accepted {reply.Accepted} of {batch.Events.Length}"));
        }

        return message.CalculateSize();
    }

    /// <summary>The batch in the CloudEvents protobuf format.</summary>
    public static CloudEventBatch Message(GeneratedBatch batch)
    {
        var message = new CloudEventBatch();
        foreach (var e in batch.Events)
        {
            message.Events.Add(new CloudEvent
            {
                Id = e.Id,
                Source = GeneratedEvent.Source,
                SpecVersion = "1.0",
                Type = e.Type,
                Attributes =
                {
                    ["subject"] = new CloudEventAttributeValue { CeString = e.Subject },
                    ["time"] = new CloudEventAttributeValue { CeString = e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) },
                },
                TextData = e.Data,
            });
        }

        return message;
    }

    public void Dispose() => _channel.Dispose();
}
