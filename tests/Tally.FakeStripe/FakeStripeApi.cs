using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tally.FakeStripe;

/// <summary>An answer as the fake sends (and saves under an idempotency key): status and JSON body.</summary>
internal sealed record FakeAnswer(int StatusCode, string Body)
{
    public static FakeAnswer Ok(JsonNode body) => new(200, body.ToJsonString());

    public static FakeAnswer Error(int status, string type, string? param, string message, string? code = null) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["param"] = param, ["message"] = message } }.ToJsonString());

    public static FakeAnswer Missing(string what, string id, string? param = null) =>
        Error(404, "invalid_request_error", param ?? "id", $"No such {what}: '{id}'", "resource_missing");
}

/// <summary>
/// The objects and endpoints of the fake, per account: what Tally's Stripe adapter calls. Not thread
/// safe; <see cref="StripeFake"/> calls it under its lock. Lists answer newest first, as Stripe does.
/// </summary>
internal sealed partial class FakeStripeApi(TimeProvider clock)
{
    private static readonly HashSet<string> ThreeDecimalCurrencies = ["bhd", "jod", "kwd", "omr", "tnd"];

    public List<FakeStripeCustomer> Customers { get; } = [];

    public List<FakeStripeInvoice> Invoices { get; } = [];

    public List<FakeStripeInvoiceItem> InvoiceItems { get; } = [];

    public List<FakeStripeCreditNote> CreditNotes { get; } = [];

    public List<FakeStripePaymentMethod> PaymentMethods { get; } = [];

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    public FakeAnswer Execute(string method, string path, string account, StripeForm form)
    {
        var segments = path.Trim('/').Split('/');
        return (method, segments) switch
        {
            ("GET", ["v1", "account"]) => FakeAnswer.Ok(new JsonObject { ["id"] = account, ["object"] = "account", ["charges_enabled"] = true }),
            ("POST", ["v1", "customers"]) => CreateCustomer(account, form),
            ("GET", ["v1", "customers"]) => List(Customers.Where(c => c.Account == account), c => c.Id, c => c.ToJson(), form, path),
            ("GET", ["v1", "customers", "search"]) => SearchCustomers(account, form, path),
            ("GET", ["v1", "customers", var id]) => Find(Customers, account, id) is { } customer ? FakeAnswer.Ok(customer.ToJson()) : FakeAnswer.Missing("customer", id),
            ("POST", ["v1", "invoices"]) => CreateInvoice(account, form),
            ("GET", ["v1", "invoices"]) => List(
                Invoices.Where(i => i.Account == account && i.Status != "deleted" && (form.Get("customer") is not { } c || i.Customer == c)), i => i.Id, i => i.ToJson(), form, path),
            ("GET", ["v1", "invoices", var id]) => FindInvoice(account, id) is { } invoice ? FakeAnswer.Ok(invoice.ToJson()) : FakeAnswer.Missing("invoice", id),
            ("DELETE", ["v1", "invoices", var id]) => DeleteDraft(account, id),
            ("POST", ["v1", "invoices", var id, "finalize"]) => Transition(account, id, ["draft"], "open", form),
            ("POST", ["v1", "invoices", var id, "void"]) => Transition(account, id, ["open", "uncollectible"], "void", form),
            ("POST", ["v1", "invoiceitems"]) => CreateInvoiceItem(account, form),
            ("GET", ["v1", "invoiceitems"]) => List(
                InvoiceItems.Where(i => i.Account == account && (form.Get("invoice") is not { } inv || i.Invoice == inv)), i => i.Id, i => i.ToJson(), form, path),
            ("POST", ["v1", "credit_notes"]) => CreateCreditNote(account, form),
            ("GET", ["v1", "credit_notes"]) => List(
                CreditNotes.Where(n => n.Account == account && (form.Get("invoice") is not { } inv || n.Invoice == inv)), n => n.Id, n => n.ToJson(), form, path),
            ("GET", ["v1", "payment_methods", var id]) => Find(PaymentMethods, account, id) is { } pm ? FakeAnswer.Ok(pm.ToJson()) : FakeAnswer.Missing("payment_method", id),
            _ => FakeAnswer.Error(404, "invalid_request_error", null, $"Unrecognized request URL ({method}: {path})."),
        };
    }

    public FakeStripePaymentMethod AddPaymentMethod(string account, string customerId)
    {
        var paymentMethod = new FakeStripePaymentMethod($"pm_fake{PaymentMethods.Count + 1:D6}", account, customerId);
        PaymentMethods.Add(paymentMethod);
        return paymentMethod;
    }

    private FakeAnswer CreateCustomer(string account, StripeForm form)
    {
        var customer = new FakeStripeCustomer($"cus_fake{Customers.Count + 1:D6}", account, form.Get("name"), form.Get("email"), form.Metadata(), Now);
        Customers.Add(customer);
        return FakeAnswer.Ok(customer.ToJson());
    }

    private FakeAnswer SearchCustomers(string account, StripeForm form, string path)
    {
        // Only the form Tally sends: metadata['key']:'value', with \' inside the value.
        var match = MetadataQuery().Match(form.Get("query") ?? "");
        if (!match.Success)
        {
            return FakeAnswer.Error(400, "invalid_request_error", "query", $"The fake understands only metadata['key']:'value' queries, not '{form.Get("query")}'.");
        }

        var (key, value) = (match.Groups[1].Value, match.Groups[2].Value.Replace("\\'", "'", StringComparison.Ordinal));
        var found = Customers.Where(c => c.Account == account && c.Metadata.TryGetValue(key, out var v) && v == value).Reverse().Select(c => (JsonNode)c.ToJson()).ToArray();
        return FakeAnswer.Ok(new JsonObject { ["object"] = "search_result", ["url"] = path, ["has_more"] = false, ["next_page"] = null, ["data"] = new JsonArray(found) });
    }

    private FakeAnswer CreateInvoice(string account, StripeForm form)
    {
        var customerId = form.Get("customer");
        if (customerId is null || Find(Customers, account, customerId) is null)
        {
            return FakeAnswer.Missing("customer", customerId ?? "", "customer");
        }

        var collection = form.Get("collection_method") ?? "charge_automatically";
        var daysUntilDue = form.GetLong("days_until_due");
        if (collection == "send_invoice" && daysUntilDue is null)
        {
            return FakeAnswer.Error(400, "invalid_request_error", "days_until_due", "Invoices with collection_method=send_invoice need days_until_due or due_date.");
        }

        var invoice = new FakeStripeInvoice(
            $"in_fake{Invoices.Count + 1:D6}", account, customerId, form.Get("currency") ?? "usd", collection, daysUntilDue,
            form.GetBool("auto_advance") ?? true, form.Get("default_payment_method"), form.Metadata(), "draft", 0, Now);
        Invoices.Add(invoice);
        return FakeAnswer.Ok(invoice.ToJson());
    }

    private FakeAnswer CreateInvoiceItem(string account, StripeForm form)
    {
        var customerId = form.Get("customer");
        if (customerId is null || Find(Customers, account, customerId) is null)
        {
            return FakeAnswer.Missing("customer", customerId ?? "", "customer");
        }

        var (amount, currency) = (form.GetLong("amount"), form.Get("currency"));
        if (amount is null || currency is null)
        {
            return FakeAnswer.Error(400, "invalid_request_error", amount is null ? "amount" : "currency", "An invoice item needs an amount and a currency.");
        }

        if (AmountProblem(amount.Value, currency) is { } problem)
        {
            return problem;
        }

        var invoiceId = form.Get("invoice");
        if (invoiceId is not null)
        {
            var index = Invoices.FindIndex(i => i.Id == invoiceId && i.Account == account && i.Status != "deleted");
            if (index < 0)
            {
                return FakeAnswer.Missing("invoice", invoiceId, "invoice");
            }

            var invoice = Invoices[index];
            if (invoice.Status != "draft" || invoice.Customer != customerId || invoice.Currency != currency)
            {
                return FakeAnswer.Error(400, "invalid_request_error", "invoice", $"Invoice {invoiceId} is not a {currency} draft of customer {customerId}.");
            }

            Invoices[index] = invoice with { Total = invoice.Total + amount.Value };
        }

        var item = new FakeStripeInvoiceItem($"ii_fake{InvoiceItems.Count + 1:D6}", account, customerId, invoiceId, currency, amount.Value, form.Get("description"), form.Metadata(), Now);
        InvoiceItems.Add(item);
        return FakeAnswer.Ok(item.ToJson());
    }

    private FakeAnswer Transition(string account, string invoiceId, string[] from, string to, StripeForm form)
    {
        var index = Invoices.FindIndex(i => i.Id == invoiceId && i.Account == account && i.Status != "deleted");
        if (index < 0)
        {
            return FakeAnswer.Missing("invoice", invoiceId);
        }

        var invoice = Invoices[index];
        if (!from.Contains(invoice.Status))
        {
            return FakeAnswer.Error(400, "invalid_request_error", null, $"You can only move an invoice to '{to}' from {string.Join(" or ", from)}; {invoiceId} is {invoice.Status}.", "invoice_not_editable");
        }

        Invoices[index] = invoice with { Status = to, AutoAdvance = form.GetBool("auto_advance") ?? invoice.AutoAdvance };
        return FakeAnswer.Ok(Invoices[index].ToJson());
    }

    private FakeAnswer DeleteDraft(string account, string invoiceId)
    {
        var index = Invoices.FindIndex(i => i.Id == invoiceId && i.Account == account && i.Status != "deleted");
        if (index < 0)
        {
            return FakeAnswer.Missing("invoice", invoiceId);
        }

        if (Invoices[index].Status != "draft")
        {
            return FakeAnswer.Error(400, "invalid_request_error", null, $"You can only delete draft invoices; {invoiceId} is {Invoices[index].Status}.");
        }

        // Stripe deletes the draft's items with it; the fake keeps them listed so tests can count every creation.
        Invoices[index] = Invoices[index] with { Status = "deleted" };
        return FakeAnswer.Ok(new JsonObject { ["id"] = invoiceId, ["object"] = "invoice", ["deleted"] = true });
    }

    private FakeAnswer CreateCreditNote(string account, StripeForm form)
    {
        var invoiceId = form.Get("invoice") ?? "";
        var invoice = FindInvoice(account, invoiceId);
        if (invoice is null)
        {
            return FakeAnswer.Missing("invoice", invoiceId, "invoice");
        }

        if (invoice.Status is not ("open" or "paid"))
        {
            return FakeAnswer.Error(400, "invalid_request_error", "invoice", $"Credit notes can only be issued for open or paid invoices; {invoiceId} is {invoice.Status}.");
        }

        var lines = form.Array("lines").Select(line => new FakeStripeCreditNoteLine((line.GetLong("unit_amount") ?? 0) * (line.GetLong("quantity") ?? 1), line.Get("description"))).ToList();
        var amount = lines.Count > 0 ? lines.Sum(line => line.Amount) : form.GetLong("amount") ?? 0;
        var credited = CreditNotes.Where(n => n.Invoice == invoiceId).Sum(n => n.Amount);
        if (amount <= 0 || amount + credited > invoice.Total || lines.Any(line => AmountProblem(line.Amount, invoice.Currency) is not null))
        {
            return FakeAnswer.Error(400, "invalid_request_error", "lines", $"The credit note's {amount} must be positive, valid in {invoice.Currency} and at most what remains of {invoiceId} ({invoice.Total - credited}).");
        }

        var note = new FakeStripeCreditNote($"cn_fake{CreditNotes.Count + 1:D6}", account, invoiceId, invoice.Customer, invoice.Currency, amount, form.Get("memo"), lines, form.Metadata(), Now);
        CreditNotes.Add(note);
        return FakeAnswer.Ok(note.ToJson());
    }

    private FakeStripeInvoice? FindInvoice(string account, string id) => Invoices.Find(i => i.Id == id && i.Account == account && i.Status != "deleted");

    /// <summary>Stripe's rule for BHD, JOD, KWD, OMR and TND: amounts in minor units must end in 0.</summary>
    private static FakeAnswer? AmountProblem(long amount, string currency) =>
        ThreeDecimalCurrencies.Contains(currency) && amount % 10 != 0
            ? FakeAnswer.Error(400, "invalid_request_error", "amount", $"Amounts in {currency.ToUpperInvariant()} must be divisible by 10 (got {amount}).", "invalid_amount")
            : null;

    private static T? Find<T>(List<T> objects, string account, string id)
        where T : class =>
        objects.Find(o => o is FakeStripeCustomer c ? c.Id == id && c.Account == account : o is FakeStripePaymentMethod p && p.Id == id && p.Account == account);

    private static FakeAnswer List<T>(IEnumerable<T> source, Func<T, string> id, Func<T, JsonObject> json, StripeForm form, string path)
    {
        var newestFirst = source.Reverse().ToList();
        if (form.Get("starting_after") is { } after)
        {
            newestFirst = [.. newestFirst.SkipWhile(o => id(o) != after).Skip(1)];
        }

        var limit = (int)(form.GetLong("limit") ?? 10);
        var page = newestFirst.Take(limit).Select(o => (JsonNode)json(o)).ToArray();
        return FakeAnswer.Ok(new JsonObject { ["object"] = "list", ["url"] = path, ["has_more"] = newestFirst.Count > limit, ["data"] = new JsonArray(page) });
    }

    [GeneratedRegex(@"^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$")]
    private static partial Regex MetadataQuery();
}
