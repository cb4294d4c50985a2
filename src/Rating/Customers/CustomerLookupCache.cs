using Microsoft.Extensions.Options;
using Tally.Billing.Customers;
using Tally.ServiceDefaults;

namespace Tally.Rating.Customers;

/// <summary>
/// The customer a hot read route names (an entitlement value, a customer's access), by id or key, with a
/// short memory: an entry lives <c>Rating:CustomerCacheSeconds</c> (0: ask the ledger every time), so an
/// entitlement check costs no ledger read. Changes made through this process's customer and subject
/// routes are forgotten at once (<see cref="Forget"/>), other processes' within the TTL; a customer not
/// found is not remembered, so one just created is found at once.
/// </summary>
public sealed class CustomerLookupCache
{
    private readonly ICustomerStore _customers;
    private readonly ExpiringCache<(string TenantId, string Reference), Customer?>? _cache;

    public CustomerLookupCache(ICustomerStore customers, TimeProvider clock, IOptions<RatingOptions> options)
    {
        _customers = customers;
        var settings = options.Value;
        _cache = settings.CustomerCacheSeconds == 0
            ? null
            : new ExpiringCache<(string, string), Customer?>(clock, TimeSpan.FromSeconds(settings.CustomerCacheSeconds), settings.CustomerCacheEntries);
    }

    /// <summary>The tenant's customer with this id or key (not deleted), or null.</summary>
    public async ValueTask<Customer?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken)
    {
        if (_cache is null)
        {
            return await _customers.GetAsync(tenantId, idOrKey, cancellationToken);
        }

        var key = (tenantId, idOrKey);
        var customer = await _cache.GetAsync(key, k => _customers.GetAsync(k.TenantId, k.Reference, CancellationToken.None), cancellationToken);
        if (customer is null)
        {
            _cache.Invalidate(key);
        }

        return customer;
    }

    /// <summary>Forgets a customer under its id and its key (call with the customer as it was before a change, and after).</summary>
    public void Forget(Customer customer)
    {
        _cache?.Invalidate((customer.TenantId, customer.Id));
        _cache?.Invalidate((customer.TenantId, customer.Key));
    }
}
