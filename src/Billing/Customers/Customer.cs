namespace Tally.Billing.Customers;

/// <summary>
/// A tenant's customer (OpenMeter's shape). Usage is attributed to it through <see cref="SubjectKeys"/>
/// (the CloudEvent <c>subject</c>); by default its key is its only subject. It pays in one currency:
/// <see cref="Currency"/> when set, otherwise the currency of its first subscription, which then sets it.
/// </summary>
public sealed record Customer(
    string TenantId,
    string Id,
    string Key,
    string Name,
    IReadOnlyList<string> SubjectKeys,
    Currency? Currency,
    DateTimeOffset CreatedAt)
{
    public string? Description { get; init; }

    public string? PrimaryEmail { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public Address? BillingAddress { get; init; }

    /// <summary>
    /// Tally's extension of OpenMeter's customer: the IANA time zone its billing periods are cut in
    /// (the calendar month and anniversaries start at local times). Default <c>UTC</c>.
    /// </summary>
    public string TimeZone { get; init; } = Calendar.TimeZones.Utc;

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? DeletedAt { get; init; }

    public bool Equals(Customer? other) =>
        other is not null && TenantId == other.TenantId && Id == other.Id && Key == other.Key && Name == other.Name
        && SubjectKeys.SequenceEqual(other.SubjectKeys) && Currency == other.Currency && CreatedAt == other.CreatedAt
        && Description == other.Description && PrimaryEmail == other.PrimaryEmail && BillingAddress == other.BillingAddress
        && UpdatedAt == other.UpdatedAt && DeletedAt == other.DeletedAt && TimeZone == other.TimeZone
        && (Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual((other.Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(TenantId, Id, Key);
}

/// <summary>A postal address (OpenMeter's <c>Address</c>); every part optional.</summary>
public sealed record Address(string? Country, string? PostalCode, string? State, string? City, string? Line1, string? Line2, string? PhoneNumber);
