using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Rating.Subscriptions;

namespace Tally.Rating.Customers;

/// <summary>OpenMeter's <c>Customer</c>, with Tally's <c>timezone</c> (IANA id; billing periods are cut in it).</summary>
public sealed record CustomerResponse(
    string Id,
    string Key,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    UsageAttribution UsageAttribution,
    string? PrimaryEmail,
    string? Currency,
    Address? BillingAddress,
    string Timezone,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt,
    string? CurrentSubscriptionId,
    IReadOnlyList<SubscriptionResponse>? Subscriptions)
{
    public static CustomerResponse From(Customer customer, string? currentSubscriptionId = null, IReadOnlyList<SubscriptionResponse>? subscriptions = null) => new(
        customer.Id,
        customer.Key,
        customer.Name,
        customer.Description,
        customer.Metadata,
        new UsageAttribution(customer.SubjectKeys),
        customer.PrimaryEmail,
        customer.Currency?.Code,
        customer.BillingAddress,
        customer.TimeZone,
        customer.CreatedAt.UtcDateTime,
        customer.UpdatedAt.UtcDateTime,
        RatingJson.Utc(customer.DeletedAt),
        currentSubscriptionId,
        subscriptions);
}

public sealed record UsageAttribution(IReadOnlyList<string> SubjectKeys);

/// <summary>Reads OpenMeter's <c>CustomerCreate</c> / <c>CustomerReplaceUpdate</c>, and Tally's <c>timezone</c> (default UTC).</summary>
internal static class CustomerBody
{
    public static Customer? Read(JsonElement body, string tenantId, string id, DateTimeOffset now, List<FieldError> errors)
    {
        var fields = new JsonFields(errors);
        if (body.ValueKind != JsonValueKind.Object)
        {
            fields.Add("body", "must be a JSON object.");
            return null;
        }

        var key = fields.Text(body, "key", "", required: false, maxLength: Limits.Identifier);
        var subjects = new List<string>();
        if (fields.Get(body, "usageAttribution") is { } attribution)
        {
            if (fields.Get(attribution, "subjectKeys") is not { ValueKind: JsonValueKind.Array } list)
            {
                fields.Add("usageAttribution.subjectKeys", "must be an array of subject keys (the CloudEvent subjects of this customer's usage).");
            }
            else if (list.GetArrayLength() > Limits.SubjectKeys)
            {
                fields.Add("usageAttribution.subjectKeys", $"lists {list.GetArrayLength()} subjects; a customer has at most {Limits.SubjectKeys}.");
            }
            else
            {
                var index = 0;
                foreach (var subject in list.EnumerateArray())
                {
                    var problem = subject.ValueKind != JsonValueKind.String ? "must be a string." : Limits.IdentifierProblem(subject.GetString());
                    if (problem is not null)
                    {
                        fields.Add($"usageAttribution.subjectKeys[{index}]", problem);
                        break;
                    }

                    subjects.Add(subject.GetString()!);
                    index++;
                }
            }
        }

        if (key is null && subjects.Count == 0 && errors.Count == 0)
        {
            fields.Add("key", "is required unless usageAttribution.subjectKeys lists the customer's subjects.");
        }

        if (subjects.Count == 0 && key is not null)
        {
            subjects.Add(key);
        }

        var name = fields.Text(body, "name", "", required: false) ?? key ?? subjects.FirstOrDefault() ?? "";
        Currency? currency = null;
        if (fields.Text(body, "currency", "", required: false, maxLength: 3) is { } code)
        {
            if (Currency.TryParse(code, out var parsed))
            {
                currency = parsed;
            }
            else
            {
                fields.Add("currency", $"is \"{code}\"; use {Currency.Expectation}.");
            }
        }

        var timeZone = TimeZones.Utc;
        if (fields.Get(body, "timezone") is { } zone)
        {
            if (zone.ValueKind == JsonValueKind.String && TimeZones.TryFind(zone.GetString(), out _))
            {
                timeZone = zone.GetString()!;
            }
            else
            {
                fields.Add("timezone", $"is {JsonFields.Show(zone)}; use {TimeZones.Expectation}.");
            }
        }

        var email = fields.Text(body, "primaryEmail", "", required: false);
        var description = fields.Description(body, "");
        var metadata = fields.Metadata(body, "");
        Address? address = null;
        if (fields.Get(body, "billingAddress") is { } billing)
        {
            address = new Address(
                fields.Text(billing, "country", "billingAddress", false, 2),
                fields.Text(billing, "postalCode", "billingAddress", false),
                fields.Text(billing, "state", "billingAddress", false),
                fields.Text(billing, "city", "billingAddress", false),
                fields.Text(billing, "line1", "billingAddress", false),
                fields.Text(billing, "line2", "billingAddress", false),
                fields.Text(billing, "phoneNumber", "billingAddress", false));
        }

        return errors.Count > 0
            ? null
            : new Customer(tenantId, id, key ?? id, name, [.. subjects.Distinct(StringComparer.Ordinal)], currency, now)
            {
                Description = description,
                PrimaryEmail = email,
                Metadata = metadata,
                BillingAddress = address,
                TimeZone = timeZone,
            };
    }
}
