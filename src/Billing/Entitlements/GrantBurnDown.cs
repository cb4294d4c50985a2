namespace Tally.Billing.Entitlements;

/// <summary>
/// How usage burns down a metered entitlement's grants. Pure: usage comes from a function of time
/// windows. The rules, in the order they apply at any instant:
/// <list type="number">
/// <item>a grant that expires or is voided at the instant is gone;</item>
/// <item>at a usage reset (each usage period boundary, and each manual reset) usage and overage restart
/// at zero (or the overage is carried as debt with <c>preserveOverageAtReset</c>) and every grant's
/// balance becomes min(maxRollover, max(balance, minRollover));</item>
/// <item>a grant that recurs at the instant is topped up to its amount; a grant taking effect gets its amount;</item>
/// <item>carried debt is burnt from the grants.</item>
/// </list>
/// Usage then burns the grants in <b>burn-down order</b>: lowest priority number first, then the
/// grant expiring soonest (never-expiring last), then the one that took effect first, then by id.
/// Usage no grant covers is overage.
/// </summary>
public static class GrantBurnDown
{
    /// <summary>The burn-down order of grants (see the type's summary).</summary>
    public static IComparer<Grant> Order { get; } = Comparer<Grant>.Create((a, b) =>
    {
        var byPriority = a.Priority.CompareTo(b.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byExpiry = (a.ExpiresAt ?? DateTimeOffset.MaxValue).CompareTo(b.ExpiresAt ?? DateTimeOffset.MaxValue);
        return byExpiry != 0 ? byExpiry
            : a.EffectiveAt != b.EffectiveAt ? a.EffectiveAt.CompareTo(b.EffectiveAt)
            : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <summary>
    /// Where a burn-down that must know the state at <paramref name="at"/> starts: the latest usage
    /// reset at or before it after which no balance depends on earlier usage (no overage carried,
    /// and every grant then in force rolls over to a fixed amount: maxRollover ≤ minRollover), or the
    /// entitlement's usage start.
    /// </summary>
    public static DateTimeOffset StartFor(Entitlement entitlement, IReadOnlyList<Grant> grants, DateTimeOffset at)
    {
        var start = entitlement.UsageStart;
        if (at <= start || entitlement.PreserveOverageAtReset)
        {
            return start;
        }

        foreach (var reset in Resets(entitlement, start, at.AddTicks(1)).Reverse())
        {
            if (grants.All(grant => !grant.IsActiveAt(reset) || grant.EffectiveAt == reset || grant.MaxRolloverAmount <= grant.MinRolloverAmount))
            {
                return reset;
            }
        }

        return start;
    }

    /// <summary>
    /// The windows a burn-down from <see cref="StartFor"/> up to <paramref name="until"/> measures:
    /// consecutive, cut at every instant where something changes (resets, grants taking effect,
    /// expiring, voided or recurring, the end of access), and at each of <paramref name="cuts"/> (e.g.
    /// where a billed item starts or ends, so its share of the burn-down is exact).
    /// </summary>
    public static IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Windows(
        Entitlement entitlement, IReadOnlyList<Grant> grants, DateTimeOffset from, DateTimeOffset until, IEnumerable<DateTimeOffset>? cuts = null)
    {
        var start = StartFor(entitlement, grants, from);
        var end = entitlement.ActiveTo is { } activeTo && activeTo < until ? activeTo : until;
        if (end <= start)
        {
            return [];
        }

        var instants = Boundaries(entitlement, grants, start, end)
            .Concat((cuts ?? []).Where(cut => cut > start && cut < end))
            .Distinct()
            .Order()
            .Prepend(start)
            .Append(end)
            .ToList();
        return [.. instants.Zip(instants.Skip(1))];
    }

    /// <summary>
    /// Runs the burn-down from <see cref="StartFor"/>(<paramref name="from"/>) up to <paramref name="until"/>
    /// over the windows of <see cref="Windows"/>, reading each window's usage from <paramref name="usage"/>.
    /// </summary>
    public static BurnDownResult Run(
        Entitlement entitlement,
        IReadOnlyList<Grant> grants,
        DateTimeOffset from,
        DateTimeOffset until,
        Func<DateTimeOffset, DateTimeOffset, decimal> usage,
        IEnumerable<DateTimeOffset>? cuts = null)
    {
        var start = StartFor(entitlement, grants, from);
        var state = new State(entitlement, grants, start);
        var segments = new List<BurnDownSegment>();
        foreach (var (segmentFrom, segmentTo) in Windows(entitlement, grants, from, until, cuts))
        {
            if (segmentFrom > start)
            {
                state.Advance(segmentFrom);
            }

            segments.Add(state.Burn(segmentFrom, segmentTo, Math.Max(0m, usage(segmentFrom, segmentTo))));
        }

        var end = entitlement.ActiveTo is { } activeTo && activeTo < until ? activeTo : until;
        if (end > start)
        {
            state.Advance(end);
        }

        return state.Result(segments);
    }

    /// <summary>
    /// The first instant after <paramref name="now"/> at which the entitlement's value changes without
    /// new usage (a grant taking effect, expiring, voided or recurring, a reset, the end of access):
    /// a value computed at <paramref name="now"/> holds until then.
    /// </summary>
    public static DateTimeOffset NextChangeAfter(Entitlement entitlement, IReadOnlyList<Grant> grants, DateTimeOffset now)
    {
        var next = entitlement.CurrentUsagePeriod(now)?.To ?? DateTimeOffset.MaxValue;
        foreach (var instant in grants.SelectMany(g => new[] { g.EffectiveAt, g.ExpiresAt, g.VoidedAt, g.NextRecurrenceAfter(now) }).Append(entitlement.ActiveTo).Append(entitlement.ActiveFrom))
        {
            if (instant is { } at && at > now && at < next)
            {
                next = at;
            }
        }

        return next;
    }

    private static IEnumerable<DateTimeOffset> Resets(Entitlement entitlement, DateTimeOffset from, DateTimeOffset to)
    {
        var periodic = entitlement.UsagePeriod?.BoundariesBetween(from, to) ?? [];
        return periodic.Concat(entitlement.Resets.Where(r => r > from && r < to)).Distinct().Order();
    }

    private static IEnumerable<DateTimeOffset> Boundaries(Entitlement entitlement, IReadOnlyList<Grant> grants, DateTimeOffset from, DateTimeOffset to)
    {
        var instants = new SortedSet<DateTimeOffset>(Resets(entitlement, from, to));
        foreach (var grant in grants)
        {
            foreach (var instant in new[] { grant.EffectiveAt, grant.ExpiresAt, grant.VoidedAt })
            {
                if (instant is { } at && at > from && at < to)
                {
                    instants.Add(at);
                }
            }

            if (grant.Recurrence is { } recurrence)
            {
                var after = grant.EffectiveAt > from ? grant.EffectiveAt : from;
                foreach (var at in recurrence.BoundariesBetween(after, to))
                {
                    if (at > grant.EffectiveAt)
                    {
                        instants.Add(at);
                    }
                }
            }
        }

        return instants;
    }

    /// <summary>The running state of one burn-down.</summary>
    private sealed class State
    {
        private readonly Entitlement _entitlement;
        private readonly IReadOnlyList<Grant> _grants;
        private readonly SortedDictionary<Grant, decimal> _balances = new(Order);
        private DateTimeOffset _at;
        private DateTimeOffset _lastReset;
        private decimal _usage;
        private decimal _overage;

        public State(Entitlement entitlement, IReadOnlyList<Grant> grants, DateTimeOffset start)
        {
            _entitlement = entitlement;
            _grants = grants;
            _at = start;
            _lastReset = start;
            var startIsReset = start > entitlement.UsageStart;
            foreach (var grant in grants.Where(g => g.IsActiveAt(start)))
            {
                var recursNow = grant.Recurrence is { } recurrence && grant.EffectiveAt < start && recurrence.Containing(start).From == start;
                _balances[grant] = startIsReset && grant.EffectiveAt < start && !recursNow
                    ? Math.Min(grant.MaxRolloverAmount, grant.MinRolloverAmount)
                    : grant.Amount;
            }
        }

        /// <summary>Applies what happens at <paramref name="instant"/> (a boundary after the start).</summary>
        public void Advance(DateTimeOffset instant)
        {
            var previous = _at;
            _at = instant;
            foreach (var grant in _balances.Keys.Where(g => !g.IsActiveAt(instant)).ToList())
            {
                _balances.Remove(grant);
            }

            var debt = 0m;
            if (IsReset(previous, instant))
            {
                debt = _entitlement.PreserveOverageAtReset ? _overage : 0m;
                _usage = 0m;
                _overage = 0m;
                _lastReset = instant;
                foreach (var grant in _balances.Keys.ToList())
                {
                    _balances[grant] = Math.Min(grant.MaxRolloverAmount, Math.Max(_balances[grant], grant.MinRolloverAmount));
                }
            }

            foreach (var grant in _grants.Where(g => g.IsActiveAt(instant)))
            {
                var recurs = grant.Recurrence is { } recurrence && grant.EffectiveAt < instant && recurrence.Containing(instant).From == instant;
                if (grant.EffectiveAt == instant || recurs)
                {
                    _balances[grant] = grant.Amount;
                }
            }

            if (debt > 0m)
            {
                _overage = Take(debt, null);
            }
        }

        public BurnDownSegment Burn(DateTimeOffset from, DateTimeOffset to, decimal usage)
        {
            var byGrant = new Dictionary<string, decimal>(StringComparer.Ordinal);
            var before = _balances.Values.Sum();
            var overage = Take(usage, byGrant);
            _usage += usage;
            _overage += overage;
            return new BurnDownSegment(from, to, usage, usage - overage, overage, byGrant) { BalanceAtStart = before, BalanceAtEnd = _balances.Values.Sum() };
        }

        public BurnDownResult Result(IReadOnlyList<BurnDownSegment> segments) => new(
            segments,
            _balances.ToDictionary(pair => pair.Key.Id, pair => pair.Value, StringComparer.Ordinal),
            _lastReset,
            _usage,
            _overage);

        private bool IsReset(DateTimeOffset previous, DateTimeOffset instant) =>
            _entitlement.Resets.Contains(instant)
            || (_entitlement.UsagePeriod is { } period && period.Containing(instant).From == instant && instant > previous);

        /// <summary>Burns <paramref name="amount"/> from the grants in order; returns what none covered.</summary>
        private decimal Take(decimal amount, Dictionary<string, decimal>? byGrant)
        {
            var remaining = amount;
            foreach (var grant in _balances.Keys.ToList())
            {
                if (remaining <= 0m)
                {
                    break;
                }

                var taken = Math.Min(_balances[grant], remaining);
                if (taken <= 0m)
                {
                    continue;
                }

                _balances[grant] -= taken;
                remaining -= taken;
                if (byGrant is not null)
                {
                    byGrant[grant.Id] = taken;
                }
            }

            return remaining;
        }
    }
}

/// <summary>One window of a burn-down: its usage, how much the grants covered (per grant) and the overage, and the balance before and after.</summary>
public sealed record BurnDownSegment(DateTimeOffset From, DateTimeOffset To, decimal Usage, decimal Covered, decimal Overage, IReadOnlyDictionary<string, decimal> ByGrant)
{
    public decimal BalanceAtStart { get; init; }

    public decimal BalanceAtEnd { get; init; }
}

/// <summary>
/// Where a burn-down ended: each grant still in force and its balance, the last reset, and the usage and
/// overage since it.
/// </summary>
public sealed record BurnDownResult(
    IReadOnlyList<BurnDownSegment> Segments,
    IReadOnlyDictionary<string, decimal> Balances,
    DateTimeOffset LastReset,
    decimal UsageSinceReset,
    decimal OverageSinceReset)
{
    /// <summary>What the grants hold now.</summary>
    public decimal Balance => Balances.Values.Sum();
}
