using System.Buffers;
using System.Text;
using System.Text.Json;
using Tally.Billing.Meters;
using Tally.Billing.Rating;

namespace Tally.Billing.Usage;

/// <summary>
/// A customer's running usage per feature, kept as meter states over consecutive windows between cut
/// instants (billing items, grant and reset boundaries): the rating grain's derived state. Loaded from
/// a usage snapshot, then every new event is folded into the window that contains its time; events
/// outside the book's windows (e.g. late events of a closed period) are not its business.
/// </summary>
public sealed class UsageBook
{
    private readonly Dictionary<string, Ledger> _features = new(StringComparer.Ordinal);

    /// <param name="features">Each feature's key, its meter (narrowed by the feature's filters) and the cut instants of its windows.</param>
    public UsageBook(IEnumerable<(string FeatureKey, MeterDefinition Meter, IEnumerable<DateTimeOffset> Cuts)> features)
    {
        foreach (var (key, meter, cuts) in features)
        {
            var instants = cuts.Distinct().Order().ToArray();
            if (instants.Length >= 2)
            {
                _features[key] = new Ledger(new CompiledMeter(meter), instants);
            }
        }
    }

    public IEnumerable<string> FeatureKeys => _features.Keys;

    /// <summary>The windows of a feature (consecutive), for a snapshot request.</summary>
    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Windows(string featureKey) =>
        _features.TryGetValue(featureKey, out var ledger) ? [.. ledger.Cuts.Zip(ledger.Cuts.Skip(1))] : [];

    public MeterDefinition Meter(string featureKey) => _features[featureKey].Meter.Definition;

    /// <summary>Sets a window's state from a snapshot.</summary>
    public void Load(string featureKey, DateTimeOffset from, UsageState state)
    {
        if (_features.TryGetValue(featureKey, out var ledger) && Array.BinarySearch(ledger.Cuts, from) is var index and >= 0 && index < ledger.States.Length)
        {
            ledger.States[index] = state;
        }
    }

    /// <summary>Folds one event into every feature that measures it; true when any did.</summary>
    public bool Apply(string eventType, DateTimeOffset time, string source, string id, string data)
    {
        // The data as UTF-8 once, only when some meter takes the event: the meters read it without a DOM.
        byte[]? utf8 = null;
        var length = 0;
        var applied = false;
        try
        {
            foreach (var ledger in _features.Values)
            {
                var meter = ledger.Meter;
                if (meter.Definition.EventType != eventType || time < ledger.Cuts[0] || time >= ledger.Cuts[^1])
                {
                    continue;
                }

                if (utf8 is null)
                {
                    var text = data.Length == 0 ? "{}" : data;
                    utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
                    length = Encoding.UTF8.GetBytes(text, utf8);
                }

                if (!meter.TryRead(utf8.AsSpan(0, length), time, out var number, out var raw))
                {
                    continue;
                }

                var index = Array.BinarySearch(ledger.Cuts, time);
                index = index >= 0 ? index : ~index - 1;
                (ledger.States[index] ??= new UsageState(meter.Definition.Aggregation)).Add(number, raw, time, source, id);
                applied = true;
            }
        }
        catch (JsonException)
        {
            return applied;
        }
        finally
        {
            if (utf8 is not null)
            {
                ArrayPool<byte>.Shared.Return(utf8);
            }
        }

        return applied;
    }

    /// <summary>
    /// The feature's usage over [<paramref name="from"/>, <paramref name="to"/>): the windows starting in
    /// it, summed (a single window for aggregations that do not add up, whose cuts are the billed items').
    /// </summary>
    public decimal Usage(string featureKey, DateTimeOffset from, DateTimeOffset to)
    {
        if (!_features.TryGetValue(featureKey, out var ledger))
        {
            return 0m;
        }

        var total = 0m;
        for (var i = 0; i < ledger.States.Length; i++)
        {
            if (ledger.Cuts[i] >= from && ledger.Cuts[i] < to && ledger.States[i] is { } state)
            {
                total += state.Value;
            }
        }

        return total;
    }

    /// <summary>The usage of each window, for <see cref="PeriodRating.Rate"/>.</summary>
    public MeasuredUsage Measure(IEnumerable<UsageWindow> windows) =>
        new(windows.Distinct().ToDictionary(window => window, window => Usage(window.FeatureKey, window.From, window.To)));

    /// <summary>A rough count of the bytes the book holds, for the memory report.</summary>
    public long ApproximateBytes =>
        _features.Values.Sum(ledger => 64 + (ledger.Cuts.Length * 16) + ledger.States.Sum(state => state is null ? 8 : 96 + ((state.Distinct?.Count ?? 0) * 48)));

    private sealed class Ledger(CompiledMeter meter, DateTimeOffset[] cuts)
    {
        public CompiledMeter Meter { get; } = meter;

        public DateTimeOffset[] Cuts { get; } = cuts;

        public UsageState?[] States { get; } = new UsageState?[cuts.Length - 1];
    }
}
