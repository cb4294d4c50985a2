using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tally.Host.Hosting;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// A real local HTTP endpoint that records every webhook it receives (headers and raw body) and
/// answers with the status codes a test queues (200 once the queue is empty).
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Queue<HttpStatusCode> _answers = new();
    private readonly Lock _gate = new();
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public static async Task<WebhookListener> StartAsync()
    {
        var listener = new WebhookListener();
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        listener._app = builder.Build();
        listener._app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            await listener._received.Writer.WriteAsync(new Received(headers, body));
            lock (listener._gate)
            {
                return Results.StatusCode((int)(listener._answers.Count > 0 ? listener._answers.Dequeue() : HttpStatusCode.OK));
            }
        });
        await listener._app.StartAsync();
        listener.Url = $"http://127.0.0.1:{port}/hook";
        return listener;
    }

    /// <summary>Makes the next deliveries fail (or succeed) with these status codes, in order.</summary>
    public void AnswerNext(params HttpStatusCode[] codes)
    {
        lock (_gate)
        {
            foreach (var code in codes)
            {
                _answers.Enqueue(code);
            }
        }
    }

    /// <summary>The next webhook received, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<Received> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>Whether another webhook arrives within <paramref name="window"/>.</summary>
    public async Task<bool> AnyWithinAsync(TimeSpan window)
    {
        using var cancel = new CancellationTokenSource(window);
        try
        {
            return await _received.Reader.WaitToReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>One webhook as it arrived: lower-cased header names and the raw body.</summary>
    public sealed record Received(IReadOnlyDictionary<string, string> Headers, string Body);
}
