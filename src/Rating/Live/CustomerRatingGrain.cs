using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Tally.Billing;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;
using Tally.Billing.Usage;
using Tally.Rating.Notifications;

namespace Tally.Rating.Live;

/// <summary>
/// The live rating of one customer. On activation (and whenever its catalog changes or time passes the
/// end of what it measures) it loads the customer's catalog from the ledger and a usage snapshot from
/// the usage store, cut at a log position per subject and log partition; usage deltas then add each
/// event after the cut exactly once. Bills and entitlement values are computed from that state with
/// the pure rating code, and kept until the next change.
/// </summary>
public sealed class CustomerRatingGrain(
    CustomerCatalogLoader catalogs,
    IUsageSnapshotReader snapshots,
    ThresholdNotifier notifier,
    PublishedEntitlementValues published,
    [FromKeyedServices(RatingClock.Key)] TimeProvider clock,
    [PersistentState("rating", RatingStorage.Name)] IPersistentState<RatingGrainState> stored,
    ILogger<CustomerRatingGrain> logger) : Grain, ICustomerRatingGrain
{
    private readonly DeltaWatermarks _watermarks = new();
    private readonly Dictionary<string, (EntitlementValueView Value, DateTimeOffset ValidUntil)> _values = new(StringComparer.Ordinal);
    private CustomerCatalog? _catalog;
    private UsageBook? _book;
    private DateTimeOffset _horizonEnd;
    private RatedPeriod? _bill;
    private bool _billKnown;
    private string _tenantId = "";
    private string _customerId = "";

    // True from activation until the first call: a RefreshAsync that activated the grain finds it built
    // from the ledger as it was after the caller's change (the call is sent after the change commits).
    private bool _justBuilt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        (_tenantId, _customerId) = (key[..slash], key[(slash + 1)..]);
        await BuildAsync(cancellationToken);
        _justBuilt = true;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Invalidate();
        return Task.CompletedTask;
    }

    public async Task<Immutable<RatedPeriod?>> GetBillAsync()
    {
        await EnsureCurrentAsync();
        if (_billKnown)
        {
            return new Immutable<RatedPeriod?>(_bill);
        }

        _bill = null;
        if (_catalog is not null && _book is not null)
        {
            var input = _catalog.CurrentRatingInput(clock.GetUtcNow());
            _bill = input.Subscriptions.Count == 0 ? null : PeriodRating.Rate(input, _book.Measure(PeriodRating.WindowsToMeasure(input)));
        }

        _billKnown = true;
        return new Immutable<RatedPeriod?>(_bill);
    }

    public async Task<EntitlementValueView?> GetEntitlementValueAsync(string featureKey)
    {
        await EnsureCurrentAsync();
        var now = clock.GetUtcNow();
        if (_values.TryGetValue(featureKey, out var cached) && now < cached.ValidUntil)
        {
            return cached.Value;
        }

        if (_catalog?.EntitlementFor(featureKey, now) is not { } entitlement)
        {
            return null;
        }

        var value = EntitlementValueView.From(entitlement, Value(entitlement, now));
        var validUntil = GrantBurnDown.NextChangeAfter(entitlement, _catalog.GrantsOf(entitlement), now);
        _values[featureKey] = (value, validUntil);
        // Past the horizon the grain rebuilds itself; the routes must come back to it by then.
        published.Publish(_tenantId, _customerId, featureKey, value, validUntil < _horizonEnd ? validUntil : _horizonEnd);
        return value;
    }

    public async Task<Dictionary<string, EntitlementValueView>> GetAccessAsync()
    {
        await EnsureCurrentAsync();
        var access = new Dictionary<string, EntitlementValueView>(StringComparer.Ordinal);
        foreach (var key in _catalog?.Entitlements.Select(e => e.FeatureKey).Distinct(StringComparer.Ordinal) ?? [])
        {
            if (await GetEntitlementValueAsync(key) is { } value)
            {
                access[key] = value;
            }
        }

        return access;
    }

    public async Task ApplyUsageAsync(Immutable<IReadOnlyList<UsageDelta>> deltas)
    {
        await EnsureCurrentAsync();
        if (_book is null || _catalog is null)
        {
            return;
        }

        var changed = false;
        foreach (var delta in deltas.Value)
        {
            if (!_catalog.Customer.SubjectKeys.Contains(delta.Subject, StringComparer.Ordinal))
            {
                continue;
            }

            foreach (var e in _watermarks.Fresh(delta))
            {
                changed |= _book.Apply(e.Type, e.Time, e.Source, e.Id, e.Data);
            }
        }

        if (changed)
        {
            Invalidate();
            await NotifyAsync();
        }
    }

    public Task RefreshAsync()
    {
        if (_justBuilt)
        {
            _justBuilt = false;
            return Task.CompletedTask;
        }

        return BuildAsync(CancellationToken.None);
    }

    public Task<long> ApproximateBytesAsync()
    {
        _justBuilt = false;
        return Task.FromResult(512 + (_book?.ApproximateBytes ?? 0) + (_watermarks.Count * 64) + (_values.Count * 160) + (stored.State.Notified.Count * 96));
    }

    private Task EnsureCurrentAsync()
    {
        _justBuilt = false;
        return clock.GetUtcNow() >= _horizonEnd ? BuildAsync(CancellationToken.None) : Task.CompletedTask;
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var tenantId = _tenantId;
        var now = clock.GetUtcNow();
        Invalidate();
        _watermarks.Reset(new Dictionary<(string, int), long>());
        _catalog = await catalogs.LoadAsync(tenantId, _customerId, cancellationToken);
        if (_catalog is null)
        {
            _book = null;
            _horizonEnd = now.AddMinutes(1);
            return;
        }

        var plan = LiveWindows.Plan(_catalog, now);
        _horizonEnd = plan.HorizonEnd;
        _book = new UsageBook(plan.Cuts.Where(c => _catalog.MetersByFeature.ContainsKey(c.Key)).Select(c => (c.Key, _catalog.MetersByFeature[c.Key], (IEnumerable<DateTimeOffset>)c.Value)));
        var requests = _book.FeatureKeys.Select(feature => new SnapshotRequest(feature, _book.Meter(feature), _book.Windows(feature))).ToList();
        var snapshot = await snapshots.ReadAsync(tenantId, _catalog.Customer.SubjectKeys, requests, cancellationToken);
        foreach (var ((feature, from, _), state) in snapshot.States)
        {
            _book.Load(feature, from, state);
        }

        _watermarks.Reset(snapshot.Watermarks);

        RatingLog.GrainBuilt(logger, key, _book.FeatureKeys.Count(), snapshot.States.Count, _horizonEnd.UtcDateTime);
        await NotifyAsync();
    }

    private EntitlementValue Value(Entitlement entitlement, DateTimeOffset now)
    {
        if (entitlement.Type != EntitlementType.Metered || !entitlement.IsActiveAt(now) || _book is null)
        {
            return EntitlementValue.Of(entitlement, now, entitlement.Type == EntitlementType.Metered ? Empty(now) : null);
        }

        var burnDown = GrantBurnDown.Run(entitlement, _catalog!.GrantsOf(entitlement), now, now, (from, to) => _book.Usage(entitlement.FeatureKey, from, to));
        return EntitlementValue.Of(entitlement, now, burnDown);
    }

    private static BurnDownResult Empty(DateTimeOffset now) => new([], new Dictionary<string, decimal>(), now, 0m, 0m);

    private void Invalidate()
    {
        _billKnown = false;
        _bill = null;
        // Withdrawn in the same turn as forgotten: no route reads a value the grain no longer holds.
        published.Withdraw(_tenantId, _customerId, _values.Keys);
        _values.Clear();
    }

    /// <summary>Fires the balance thresholds the customer's metered entitlements have reached, each once per usage period.</summary>
    private async Task NotifyAsync()
    {
        if (_catalog is null || _book is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var fired = await notifier.NotifyAsync(_catalog, now, stored.State.Notified, entitlement => Value(entitlement, now));
        if (fired)
        {
            await stored.WriteStateAsync();
        }
    }
}
