using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;

namespace Tally.Rating.Customers;

/// <summary>OpenMeter's customer create request (key, name, currency, usageAttribution.subjectKeys).</summary>
public sealed class CreateCustomerRequest
{
    public string? Key { get; set; }

    public string? Name { get; set; }

    public string? Currency { get; set; }

    public UsageAttributionRequest? UsageAttribution { get; set; }
}

public sealed class UsageAttributionRequest
{
    public List<string>? SubjectKeys { get; set; }
}

public sealed record CustomerResponse(string Id, string Key, string Name, string Currency, UsageAttributionResponse UsageAttribution, DateTime CreatedAt)
{
    public static CustomerResponse From(Customer customer) => new(
        customer.Id, customer.Key, customer.Name, customer.Currency.Code, new UsageAttributionResponse(customer.SubjectKeys), customer.CreatedAt.UtcDateTime);
}

public sealed record UsageAttributionResponse(IReadOnlyList<string> SubjectKeys);

/// <summary>Subscription create request: <c>{customerId, plan: {key}, activeFrom}</c>.</summary>
public sealed class CreateSubscriptionRequest
{
    public string? CustomerId { get; set; }

    public PlanReference? Plan { get; set; }

    public DateTimeOffset? ActiveFrom { get; set; }
}

public sealed class PlanReference
{
    public string? Key { get; set; }
}

public sealed record SubscriptionResponse(string Id, string CustomerId, string PlanId, string PlanKey, DateTime ActiveFrom, DateTime CreatedAt);
