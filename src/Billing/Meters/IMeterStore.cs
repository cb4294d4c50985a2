namespace Tally.Billing.Meters;

/// <summary>Meter definitions, unique by slug within a tenant.</summary>
public interface IMeterStore
{
    /// <summary>Stores a new meter; throws <see cref="LedgerConflictException"/> (field <c>slug</c>) if the slug is taken.</summary>
    Task CreateAsync(MeterDefinition meter, CancellationToken cancellationToken);

    /// <summary>The tenant's meter with this id or slug, or null.</summary>
    Task<MeterDefinition?> GetAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken);

    Task<IReadOnlyList<MeterDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Every tenant's meters, for the aggregator.</summary>
    Task<IReadOnlyList<MeterDefinition>> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>Replaces what may change of a meter (name, description, groupBy, metadata, updatedAt).</summary>
    Task UpdateAsync(MeterDefinition meter, CancellationToken cancellationToken);

    /// <summary>Deletes the tenant's meter with this id or slug; false if there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken);
}
