using System.Text.Json.Nodes;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.EventLog.Embedded;

namespace Tally.Tests.Invoicer.Fakes;

/// <summary>A customer as the fake stores it.</summary>
internal sealed record FakeStripeCustomer(string Id, string? Name, IReadOnlyDictionary<string, string> Metadata)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "customer",
        ["livemode"] = false,
        ["name"] = Name,
        ["metadata"] = StripeForm.MetadataJson(Metadata),
    };
}

/// <summary>An invoice as the fake stores it; <see cref="Status"/> is <c>draft</c> until finalized, then <c>open</c>.</summary>
internal sealed record FakeStripeInvoice(
    string Id,
    string Customer,
    string Currency,
    string CollectionMethod,
    long? DaysUntilDue,
    bool AutoAdvance,
    IReadOnlyDictionary<string, string> Metadata,
    string Status,
    long Total)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "invoice",
        ["livemode"] = false,
        ["customer"] = Customer,
        ["currency"] = Currency,
        ["collection_method"] = CollectionMethod,
        ["days_until_due"] = DaysUntilDue,
        ["auto_advance"] = AutoAdvance,
        ["metadata"] = StripeForm.MetadataJson(Metadata),
        ["status"] = Status,
        ["total"] = Total,
        ["amount_due"] = Total,
    };
}

/// <summary>An invoice item as the fake stores it; amounts are in the currency's minor units, as in Stripe.</summary>
internal sealed record FakeStripeInvoiceItem(string Id, string Customer, string? Invoice, string Currency, long Amount, string? Description)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "invoiceitem",
        ["livemode"] = false,
        ["customer"] = Customer,
        ["invoice"] = Invoice,
        ["currency"] = Currency,
        ["amount"] = Amount,
        ["description"] = Description,
    };
}

/// <summary>One request the fake answered, for tests that check what a client sent.</summary>
internal sealed record FakeStripeRequest(string Path, string? IdempotencyKey, int StatusCode, bool Replayed);
