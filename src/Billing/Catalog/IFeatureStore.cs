namespace Tally.Billing.Catalog;

/// <summary>Features; a key is unique among the tenant's features that are not archived.</summary>
public interface IFeatureStore
{
    /// <summary>Stores a feature; conflict on field <c>key</c> if an active feature has the key.</summary>
    Task CreateAsync(Feature feature, CancellationToken cancellationToken);

    /// <summary>The feature with this id, or the newest not archived with this key (archived too when by id).</summary>
    Task<Feature?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken);

    /// <summary>Every feature of the tenant by key, archived ones too.</summary>
    Task<IReadOnlyList<Feature>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Marks the feature archived at <paramref name="at"/>; false if there is no such feature.</summary>
    Task<bool> ArchiveAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken);
}
