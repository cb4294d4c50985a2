using System.Text.Json.Nodes;

namespace Tally.FakeStripe;

/// <summary>A customer as the fake stores it, in the account that created it.</summary>
public sealed record FakeStripeCustomer(string Id, string Account, string? Name, string? Email, IReadOnlyDictionary<string, string> Metadata, long Created)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "customer",
        ["created"] = Created,
        ["livemode"] = false,
        ["name"] = Name,
        ["email"] = Email,
        ["metadata"] = StripeForm.MetadataJson(Metadata),
    };
}

/// <summary>
/// An invoice as the fake stores it; <see cref="Status"/> goes <c>draft</c> → <c>open</c> (finalized) →
/// <c>void</c>, and a deleted draft is <c>deleted</c>. Amounts are in the currency's minor units.
/// </summary>
public sealed record FakeStripeInvoice(
    string Id,
    string Account,
    string Customer,
    string Currency,
    string CollectionMethod,
    long? DaysUntilDue,
    bool AutoAdvance,
    string? DefaultPaymentMethod,
    IReadOnlyDictionary<string, string> Metadata,
    string Status,
    long Total,
    long Created)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "invoice",
        ["created"] = Created,
        ["livemode"] = false,
        ["customer"] = Customer,
        ["currency"] = Currency,
        ["collection_method"] = CollectionMethod,
        ["days_until_due"] = DaysUntilDue,
        ["auto_advance"] = AutoAdvance,
        ["default_payment_method"] = DefaultPaymentMethod,
        ["metadata"] = StripeForm.MetadataJson(Metadata),
        ["status"] = Status == "deleted" ? "draft" : Status,
        ["total"] = Total,
        ["amount_due"] = Total,
    };
}

/// <summary>An invoice item as the fake stores it; amounts are in the currency's minor units, as in Stripe.</summary>
public sealed record FakeStripeInvoiceItem(
    string Id,
    string Account,
    string Customer,
    string? Invoice,
    string Currency,
    long Amount,
    string? Description,
    IReadOnlyDictionary<string, string> Metadata,
    long Created)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "invoiceitem",
        ["date"] = Created,
        ["livemode"] = false,
        ["customer"] = Customer,
        ["invoice"] = Invoice,
        ["currency"] = Currency,
        ["amount"] = Amount,
        ["description"] = Description,
        ["metadata"] = StripeForm.MetadataJson(Metadata),
    };
}

/// <summary>One custom line of a credit note: its amount in minor units and description.</summary>
public sealed record FakeStripeCreditNoteLine(long Amount, string? Description);

/// <summary>A credit note as the fake stores it (always <c>issued</c>); <see cref="Amount"/> is the sum of its lines.</summary>
public sealed record FakeStripeCreditNote(
    string Id,
    string Account,
    string Invoice,
    string Customer,
    string Currency,
    long Amount,
    string? Memo,
    IReadOnlyList<FakeStripeCreditNoteLine> Lines,
    IReadOnlyDictionary<string, string> Metadata,
    long Created)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "credit_note",
        ["created"] = Created,
        ["livemode"] = false,
        ["invoice"] = Invoice,
        ["customer"] = Customer,
        ["currency"] = Currency,
        ["amount"] = Amount,
        ["total"] = Amount,
        ["memo"] = Memo,
        ["status"] = "issued",
        ["type"] = "pre_payment",
        ["metadata"] = StripeForm.MetadataJson(Metadata),
    };
}

/// <summary>A payment method attached to a customer, made by the test with <see cref="StripeFake.AddPaymentMethod"/>.</summary>
public sealed record FakeStripePaymentMethod(string Id, string Account, string Customer)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "payment_method",
        ["type"] = "card",
        ["livemode"] = false,
        ["customer"] = Customer,
    };
}

/// <summary>
/// One request the fake answered: its account (null if the key was refused), whether it replayed a
/// saved answer, and whether the answer was dropped by an injected <see cref="FakeFailureMode.DropResponse"/>.
/// </summary>
public sealed record FakeStripeRequest(string Method, string Path, string? Account, string? IdempotencyKey, int StatusCode, bool Replayed, bool Dropped);
