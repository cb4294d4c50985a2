using System.Globalization;
using System.Text;

namespace Tally.Bench.Generation;

/// <summary>
/// Generates a run's batches in order, deterministically from the profile, the seed and the run's start:
/// the same arguments give the same batches, so the expected totals of the first N batches can be
/// worked out again after the run (<see cref="ExpectedTotals.Of"/>). Each batch is one tenant's (drawn
/// by Zipf); each event a prompt (tokens, model, region, user, latency) or a storage event (gigabytes,
/// bucket) of a Zipf-drawn customer, at a time within the hour before the run; a share of events are
/// late (a day or two back) and a share are re-sends of one of the tenant's recent events.
/// </summary>
public sealed class EventGenerator
{
    /// <summary>How many of each tenant's latest events a re-send is drawn from.</summary>
    public const int RecentPerTenant = 256;

    private readonly LoadProfile _profile;
    private readonly ZipfDistribution _tenants;
    private readonly ZipfDistribution _customers;
    private readonly DateTimeOffset _hourStart;
    private readonly DateTimeOffset _lateStart;
    private readonly GeneratedEvent[][] _recent;
    private readonly long[] _sentByTenant;
    private readonly StringBuilder _json = new(320);
    private SplitMix64 _random;
    private long _sequence;
    private long _batches;

    public EventGenerator(LoadProfile profile, ulong seed, DateTimeOffset runStart)
    {
        _profile = profile;
        _random = new SplitMix64(seed);
        _tenants = new ZipfDistribution(profile.Tenants, profile.TenantSkew);
        _customers = new ZipfDistribution(profile.CustomersPerTenant, profile.CustomerSkew);
        var start = DateTimeOffset.FromUnixTimeSeconds(runStart.ToUnixTimeSeconds());
        _hourStart = start.AddHours(-1);
        _lateStart = start.AddDays(-2);
        _recent = new GeneratedEvent[profile.Tenants][];
        _sentByTenant = new long[profile.Tenants];
    }

    public LoadProfile Profile => _profile;

    /// <summary>Batches generated so far.</summary>
    public long Batches => _batches;

    public GeneratedBatch Next()
    {
        var tenant = _tenants.Sample(_random.NextDouble());
        var events = new GeneratedEvent[_profile.BatchSize];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = NextEvent(tenant);
        }

        return new GeneratedBatch(_batches++, tenant, events);
    }

    private GeneratedEvent NextEvent(int tenant)
    {
        var recent = _recent[tenant] ??= new GeneratedEvent[RecentPerTenant];
        var sent = _sentByTenant[tenant];
        if (sent > 0 && _random.NextDouble() < _profile.DuplicateShare)
        {
            return recent[_random.Next((int)Math.Min(sent, RecentPerTenant))] with { Duplicate = true };
        }

        var sequence = _sequence++;
        var late = _random.NextDouble() < _profile.LateShare;
        // Spread over the hour (or the late day) by a multiplicative step, so neighbours differ in minute.
        var time = late
            ? _lateStart.AddMilliseconds(sequence * 7919 % 86_400_000)
            : _hourStart.AddMilliseconds(sequence * 7919 % 3_600_000);
        var subject = "c" + _customers.Sample(_random.NextDouble()).ToString(CultureInfo.InvariantCulture);
        var generated = _random.NextDouble() < _profile.StorageShare ? Storage(sequence, tenant, subject, time) : Prompt(sequence, tenant, subject, time);
        generated = generated with { Late = late };
        recent[sent % RecentPerTenant] = generated;
        _sentByTenant[tenant] = sent + 1;
        return generated;
    }

    private GeneratedEvent Prompt(long sequence, int tenant, string subject, DateTimeOffset time)
    {
        var tokens = 1 + _random.Next(4000);
        var model = "m" + _random.Next(_profile.GroupByValues).ToString(CultureInfo.InvariantCulture);
        var region = "r" + _random.Next(_profile.GroupByValues).ToString(CultureInfo.InvariantCulture);
        var user = "u" + _random.Next(_profile.Users).ToString(CultureInfo.InvariantCulture);
        var latency = 1 + _random.Next(30_000_000);
        var data = string.Create(CultureInfo.InvariantCulture,
            $$"""{"tokens":{{tokens}},"model":"{{model}}","region":"{{region}}","user":"{{user}}","latency_ms":{{latency / 1000}}.{{latency % 1000:D3}}}""");
        return new GeneratedEvent(sequence, tenant, GeneratedEvent.PromptType, subject, time, data, Json(sequence, GeneratedEvent.PromptType, subject, time, data))
        {
            Tokens = tokens,
            Group = model,
            Region = region,
            User = user,
            LatencyMilli = latency,
        };
    }

    private GeneratedEvent Storage(long sequence, int tenant, string subject, DateTimeOffset time)
    {
        var gb = _random.Next(1_000_000);
        var bucket = "b" + _random.Next(_profile.GroupByValues).ToString(CultureInfo.InvariantCulture);
        var data = string.Create(CultureInfo.InvariantCulture, $$"""{"gb":{{gb / 100}}.{{gb % 100:D2}},"bucket":"{{bucket}}"}""");
        return new GeneratedEvent(sequence, tenant, GeneratedEvent.StorageType, subject, time, data, Json(sequence, GeneratedEvent.StorageType, subject, time, data))
        {
            GbCenti = gb,
            Group = bucket,
        };
    }

    private string Json(long sequence, string type, string subject, DateTimeOffset time, string data) =>
        _json.Clear().Append(CultureInfo.InvariantCulture,
            $$"""{"specversion":"1.0","id":"e{{sequence}}","source":"{{GeneratedEvent.Source}}","type":"{{type}}","subject":"{{subject}}","time":"{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","data":{{data}}}""").ToString();
}
