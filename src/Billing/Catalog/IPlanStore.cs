namespace Tally.Billing.Catalog;

/// <summary>Plan versions. Every version of a key keeps its own id; at most one draft per key.</summary>
public interface IPlanStore
{
    /// <summary>Stores a new version; conflict on field <c>key</c> if the key already has a draft or the version exists.</summary>
    Task CreateAsync(Plan plan, CancellationToken cancellationToken);

    /// <summary>Replaces a version (its name, phases, dates, deletion); the caller decides what may change.</summary>
    Task UpdateAsync(Plan plan, CancellationToken cancellationToken);

    /// <summary>The version with this id (deleted ones too), or null.</summary>
    Task<Plan?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Every version of a key, oldest first (deleted ones too).</summary>
    Task<IReadOnlyList<Plan>> VersionsAsync(string tenantId, string key, CancellationToken cancellationToken);

    /// <summary>Every version of every plan of the tenant, by key then version (deleted ones too).</summary>
    Task<IReadOnlyList<Plan>> ListAsync(string tenantId, CancellationToken cancellationToken);
}
