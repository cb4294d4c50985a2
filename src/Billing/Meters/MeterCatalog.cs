namespace Tally.Billing.Meters;

/// <summary>Every tenant's meters, indexed by tenant and event type, for judging single events.</summary>
public sealed class MeterCatalog
{
    private readonly Dictionary<(string TenantId, string EventType), CompiledMeter[]> _byType;

    public MeterCatalog(IEnumerable<MeterDefinition> meters)
    {
        _byType = meters
            .Select(meter => new CompiledMeter(meter))
            .GroupBy(meter => (meter.Definition.TenantId, meter.Definition.EventType))
            .ToDictionary(group => group.Key, group => group.ToArray());
    }

    public static MeterCatalog Empty { get; } = new([]);

    /// <summary>The tenant's meters that measure events of <paramref name="eventType"/>.</summary>
    public IReadOnlyList<CompiledMeter> For(string tenantId, string eventType) =>
        _byType.TryGetValue((tenantId, eventType), out var meters) ? meters : [];
}
