using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.EventLog.Embedded;

namespace Tally.Tests.Invoicer.Fakes;

/// <summary>
/// A Stripe-compatible HTTP server on a free loopback port, for the endpoints Tally's publisher calls:
/// POST /v1/customers, /v1/invoices, /v1/invoiceitems and /v1/invoices/{id}/finalize. It speaks
/// Stripe's wire format (form-encoded requests, JSON objects and <c>{"error": ...}</c> bodies), checks
/// the secret key, and keeps Stripe's idempotency rule: a repeated <c>Idempotency-Key</c> replays the
/// first response and creates nothing. Everything it created can be inspected, and a request can be
/// made to fail once to simulate a crash in the middle of a push.
/// </summary>
internal sealed class StripeFake : IAsyncDisposable
{
    /// <summary>A test-mode secret key the fake accepts; any <c>sk_test_</c> key is accepted.</summary>
    public const string ApiKey = "sk_test_tally_fake";

    private readonly Lock gate = new();
    private readonly List<FakeStripeCustomer> customers = [];
    private readonly List<FakeStripeInvoice> invoices = [];
    private readonly List<FakeStripeInvoiceItem> items = [];
    private readonly List<FakeStripeRequest> requests = [];
    private readonly Dictionary<(string ApiKey, string Key), StoredResponse> idempotent = [];
    private readonly List<InjectedFailure> failures = [];
    private WebApplication? app;

    private StripeFake()
    {
    }

    /// <summary>Where Stripe.net should send requests (<c>http://127.0.0.1:port</c>, no trailing slash).</summary>
    public string BaseAddress { get; private set; } = "";

    public IReadOnlyList<FakeStripeCustomer> Customers => Snapshot(customers);

    public IReadOnlyList<FakeStripeInvoice> Invoices => Snapshot(invoices);

    public IReadOnlyList<FakeStripeInvoiceItem> InvoiceItems => Snapshot(items);

    public IReadOnlyList<FakeStripeRequest> Requests => Snapshot(requests);

    public static async Task<StripeFake> StartAsync(CancellationToken cancellationToken)
    {
        var fake = new StripeFake();
        // The empty builder reads no appsettings or environment, so nothing outside the test configures it.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddLogging();
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        fake.app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        fake.BaseAddress = new Uri(address).GetLeftPart(UriPartial.Authority);
        return fake;
    }

    /// <summary>
    /// Answers the <paramref name="nth"/> request to <paramref name="path"/> from now on with HTTP 500 and
    /// a Stripe <c>api_error</c>, once, without creating anything or saving the answer under its
    /// idempotency key: it models a request lost before Stripe's idempotency layer saw it, so a retry
    /// with the same key executes normally.
    /// </summary>
    public void FailOnce(string path, int nth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (gate)
        {
            failures.Add(new InjectedFailure(path, nth));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
        var apiKey = BearerKey(request);
        StripeForm? form = null;
        if (request.HasFormContentType)
        {
            form = new StripeForm(await request.ReadFormAsync(context.RequestAborted));
        }

        StoredResponse response;
        var replayed = false;
        var shouldRetry = (string?)null;
        string requestId;
        lock (gate)
        {
            if (apiKey is null || !apiKey.StartsWith("sk_test_", StringComparison.Ordinal))
            {
                response = Error(401, "invalid_request_error", null, $"Invalid API Key provided: {apiKey ?? "(none)"}");
            }
            else if (TakeInjectedFailure(path))
            {
                response = Error(500, "api_error", null, "An unknown error occurred (injected by the test).");
                // Stripe.net retries a 500 on its own unless told not to; the test wants the failure to surface.
                shouldRetry = "false";
            }
            else if (idempotencyKey is not null && idempotent.TryGetValue((apiKey, idempotencyKey), out var stored))
            {
                replayed = stored.Path == path && stored.Parameters == form?.Canonical();
                response = replayed
                    ? stored
                    : Error(400, "idempotency_error", null, $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotencyKey}' if you meant to execute a different request.");
            }
            else
            {
                response = request.Method == HttpMethods.Post && form is not null
                    ? Execute(path, form)
                    : Error(404, "invalid_request_error", null, $"Unrecognized request URL ({request.Method}: {path}).");
                // Stripe saves the result of a request that ran; a rejected one leaves the key unused.
                if (idempotencyKey is not null && response.StatusCode == 200)
                {
                    idempotent[(apiKey, idempotencyKey)] = response with { Path = path, Parameters = form?.Canonical() };
                }
            }

            requests.Add(new FakeStripeRequest(path, idempotencyKey, response.StatusCode, replayed));
            requestId = $"req_fake{requests.Count:D6}";
        }

        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = requestId;
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        if (shouldRetry is not null)
        {
            context.Response.Headers["Stripe-Should-Retry"] = shouldRetry;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    private StoredResponse Execute(string path, StripeForm form)
    {
        const string finalizeSuffix = "/finalize";
        return path switch
        {
            "/v1/customers" => CreateCustomer(form),
            "/v1/invoices" => CreateInvoice(form),
            "/v1/invoiceitems" => CreateInvoiceItem(form),
            _ when path.StartsWith("/v1/invoices/", StringComparison.Ordinal) && path.EndsWith(finalizeSuffix, StringComparison.Ordinal) =>
                FinalizeInvoice(path["/v1/invoices/".Length..^finalizeSuffix.Length], form),
            _ => Error(404, "invalid_request_error", null, $"Unrecognized request URL (POST: {path})."),
        };
    }

    private StoredResponse CreateCustomer(StripeForm form)
    {
        var customer = new FakeStripeCustomer($"cus_fake{customers.Count + 1:D6}", form.Get("name"), form.Metadata());
        customers.Add(customer);
        return Ok(customer.ToJson());
    }

    private StoredResponse CreateInvoice(StripeForm form)
    {
        var customerId = form.Get("customer");
        if (customerId is null || customers.All(c => c.Id != customerId))
        {
            return Error(400, "invalid_request_error", "customer", $"No such customer: '{customerId}'");
        }

        var collection = form.Get("collection_method") ?? "charge_automatically";
        var daysUntilDue = form.GetLong("days_until_due");
        if (collection == "send_invoice" && daysUntilDue is null)
        {
            return Error(400, "invalid_request_error", "days_until_due", "Invoices with collection_method=send_invoice need days_until_due or due_date.");
        }

        var invoice = new FakeStripeInvoice(
            $"in_fake{invoices.Count + 1:D6}",
            customerId,
            form.Get("currency") ?? "usd",
            collection,
            daysUntilDue,
            form.GetBool("auto_advance") ?? true,
            form.Metadata(),
            "draft",
            0);
        invoices.Add(invoice);
        return Ok(invoice.ToJson());
    }

    private StoredResponse CreateInvoiceItem(StripeForm form)
    {
        var customerId = form.Get("customer");
        if (customerId is null || customers.All(c => c.Id != customerId))
        {
            return Error(400, "invalid_request_error", "customer", $"No such customer: '{customerId}'");
        }

        var amount = form.GetLong("amount");
        var currency = form.Get("currency");
        if (amount is null || currency is null)
        {
            return Error(400, "invalid_request_error", amount is null ? "amount" : "currency", "An invoice item needs an amount and a currency.");
        }

        var invoiceId = form.Get("invoice");
        if (invoiceId is not null)
        {
            var index = invoices.FindIndex(i => i.Id == invoiceId);
            if (index < 0)
            {
                return Error(400, "invalid_request_error", "invoice", $"No such invoice: '{invoiceId}'");
            }

            var invoice = invoices[index];
            if (invoice.Status != "draft" || invoice.Customer != customerId || invoice.Currency != currency)
            {
                return Error(400, "invalid_request_error", "invoice", $"Invoice {invoiceId} is not a {currency} draft of customer {customerId}.");
            }

            invoices[index] = invoice with { Total = invoice.Total + amount.Value };
        }

        var item = new FakeStripeInvoiceItem($"ii_fake{items.Count + 1:D6}", customerId, invoiceId, currency, amount.Value, form.Get("description"));
        items.Add(item);
        return Ok(item.ToJson());
    }

    private StoredResponse FinalizeInvoice(string invoiceId, StripeForm form)
    {
        var index = invoices.FindIndex(i => i.Id == invoiceId);
        if (index < 0)
        {
            return Error(404, "invalid_request_error", "invoice", $"No such invoice: '{invoiceId}'");
        }

        if (invoices[index].Status != "draft")
        {
            return Error(400, "invalid_request_error", null, $"This invoice is already finalized, you can't re-finalize a non-draft invoice.");
        }

        var finalized = invoices[index] with { Status = "open", AutoAdvance = form.GetBool("auto_advance") ?? invoices[index].AutoAdvance };
        invoices[index] = finalized;
        return Ok(finalized.ToJson());
    }

    private bool TakeInjectedFailure(string path)
    {
        for (var i = 0; i < failures.Count; i++)
        {
            if (failures[i].Path != path)
            {
                continue;
            }

            failures[i] = failures[i] with { Remaining = failures[i].Remaining - 1 };
            if (failures[i].Remaining == 0)
            {
                failures.RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    private static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
    }

    private static StoredResponse Ok(JsonObject body) => new(200, body.ToJsonString());

    private static StoredResponse Error(int status, string type, string? param, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["param"] = param, ["message"] = message } }.ToJsonString());

    private List<T> Snapshot<T>(List<T> source)
    {
        lock (gate)
        {
            return [.. source];
        }
    }

    private sealed record StoredResponse(int StatusCode, string Body, string? Path = null, string? Parameters = null);

    private sealed record InjectedFailure(string Path, int Remaining);
}
