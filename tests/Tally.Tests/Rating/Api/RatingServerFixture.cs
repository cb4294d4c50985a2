using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tally.Rating;
using Tally.Tests.Hosting;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// A whole Tally server whose rating stage runs on a fake clock (10 November 2026, 12:00 UTC, until a
/// test advances it), so periods, plan changes, expiries and webhook retries are exact. Ingestion and
/// the usage store keep real time. Webhooks retry after 1 s, then 2 s (of the fake clock).
/// </summary>
public sealed class RatingServerFixture : TallyServerFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    protected override IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        ["Rating:WebhookRetrySeconds:0"] = "1",
        ["Rating:WebhookRetrySeconds:1"] = "2",
        ["Rating:DeliveryPollMilliseconds"] = "50",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddKeyedSingleton<TimeProvider>(RatingClock.Key, Clock);
}
