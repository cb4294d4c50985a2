namespace Tally.Billing.Catalog;

/// <summary>Plans and their rate cards, unique by key within a tenant.</summary>
public interface IPlanStore
{
    /// <summary>Stores a plan with its rate cards in one transaction; conflict on field <c>key</c>.</summary>
    Task CreateAsync(Plan plan, CancellationToken cancellationToken);

    Task<Plan?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<Plan>> ListAsync(string tenantId, CancellationToken cancellationToken);
}
