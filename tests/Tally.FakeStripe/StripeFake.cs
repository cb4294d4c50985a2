using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Tally.FakeStripe;

/// <summary>
/// A Stripe-compatible HTTP server on a free loopback port, for what Tally's Stripe adapter calls: the
/// account, customers (with search), invoices (list, finalize, void, delete), invoice items and credit
/// notes. It speaks Stripe's wire format (form-encoded requests, JSON objects, <c>{"error": …}</c>
/// bodies), scopes every object to the account of the secret key that made it, and keeps Stripe's
/// idempotency rules: a repeated <c>Idempotency-Key</c> replays the first answer (or is refused with
/// other parameters, or with 409 while the first is still running), and keys are forgotten 24 hours
/// after first use by the fake's own clock, which the test advances. Any request can be made to fail
/// (<see cref="Fail"/>) and every call can be slowed (<see cref="Latency"/>).
/// </summary>
public sealed class StripeFake : IAsyncDisposable
{
    /// <summary>The default account's test-mode secret key.</summary>
    public const string ApiKey = "sk_test_TallyFakeDefaultKey0001";

    /// <summary>The default account, reached with <see cref="ApiKey"/>.</summary>
    public const string AccountId = "acct_fake000001";

    /// <summary>How long Stripe keeps an idempotency key.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    private readonly Lock gate = new();
    private readonly TimeProvider clock;
    private readonly FakeStripeApi api;
    private readonly Dictionary<string, string> accountsByKey = new(StringComparer.Ordinal) { [ApiKey] = AccountId };
    private readonly Dictionary<(string Account, string Key), SavedAnswer> idempotent = [];
    private readonly HashSet<(string Account, string Key)> inProgress = [];
    private readonly List<FakeStripeRequest> requests = [];
    private readonly List<(FakeFailure Failure, int Seen)> failures = [];
    private WebApplication? app;
    private int inFlight;
    private int maxInFlight;

    private StripeFake(TimeProvider clock)
    {
        this.clock = clock;
        api = new FakeStripeApi(clock);
    }

    /// <summary>Where Stripe.net should send requests (<c>http://127.0.0.1:port</c>, no trailing slash).</summary>
    public string BaseAddress { get; private set; } = "";

    /// <summary>Added before every answer (for benchmarks at a realistic latency); it passes in real time, not on the fake's clock.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The most requests the fake was answering at once.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    public IReadOnlyList<FakeStripeCustomer> Customers => Snapshot(api.Customers);

    /// <summary>Every invoice ever created, deleted drafts included (status <c>deleted</c>; their items stay in <see cref="InvoiceItems"/>).</summary>
    public IReadOnlyList<FakeStripeInvoice> Invoices => Snapshot(api.Invoices);

    public IReadOnlyList<FakeStripeInvoiceItem> InvoiceItems => Snapshot(api.InvoiceItems);

    public IReadOnlyList<FakeStripeCreditNote> CreditNotes => Snapshot(api.CreditNotes);

    public IReadOnlyList<FakeStripeRequest> Requests => Snapshot(requests);

    /// <summary>How many objects of each kind (<c>customer</c>, <c>invoice</c>, <c>invoiceitem</c>, <c>credit_note</c>) were created.</summary>
    public IReadOnlyDictionary<string, int> CreatedCounts
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>
                {
                    ["customer"] = api.Customers.Count,
                    ["invoice"] = api.Invoices.Count,
                    ["invoiceitem"] = api.InvoiceItems.Count,
                    ["credit_note"] = api.CreditNotes.Count,
                };
            }
        }
    }

    /// <summary>Starts the fake; <paramref name="clock"/> (default: the system's) ages its idempotency keys.</summary>
    public static async Task<StripeFake> StartAsync(TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        var fake = new StripeFake(clock ?? TimeProvider.System);
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

    /// <summary>Opens another Stripe account reached with <paramref name="apiKey"/>; returns its id.</summary>
    public string AddAccount(string apiKey)
    {
        lock (gate)
        {
            var account = $"acct_fake{accountsByKey.Values.Distinct().Count() + 1:D6}";
            accountsByKey.Add(apiKey, account);
            return account;
        }
    }

    /// <summary>Another key (a rolled or restricted one) for an existing account.</summary>
    public void AddKey(string apiKey, string account)
    {
        lock (gate)
        {
            accountsByKey.Add(apiKey, account);
        }
    }

    /// <summary>Revokes a key: every later request with it is refused with 401.</summary>
    public void RevokeKey(string apiKey)
    {
        lock (gate)
        {
            accountsByKey.Remove(apiKey);
        }
    }

    /// <summary>Attaches a new payment method to a customer of <paramref name="account"/> and returns its id.</summary>
    public string AddPaymentMethod(string customerId, string account = AccountId)
    {
        lock (gate)
        {
            return api.AddPaymentMethod(account, customerId).Id;
        }
    }

    /// <summary>Injects a failure into matching requests from now on (see <see cref="FakeFailure"/>).</summary>
    public void Fail(FakeFailure failure)
    {
        lock (gate)
        {
            failures.Add((failure, 0));
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
        var (method, path) = (request.Method, request.Path.Value ?? "");
        var form = request.HasFormContentType ? StripeForm.From(await request.ReadFormAsync(context.RequestAborted)) : StripeForm.From(request.Query);
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key && method == HttpMethods.Post ? key : null;
        var current = Interlocked.Increment(ref inFlight);
        InterlockedMax(ref maxInFlight, current);
        try
        {
            var outcome = Begin(method, path, BearerKey(request), idempotencyKey, form);
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, context.RequestAborted);
            }

            outcome = outcome.Answer is null ? Complete(method, path, outcome, idempotencyKey, form) : outcome;
            Record(method, path, outcome, idempotencyKey);
            if (outcome.Drop)
            {
                context.Abort();
                return;
            }

            context.Response.StatusCode = outcome.Answer!.StatusCode;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Request-Id"] = outcome.RequestId;
            if (outcome.Replayed)
            {
                context.Response.Headers["Idempotent-Replayed"] = "true";
            }

            if (outcome.ShouldRetry is { } retry)
            {
                context.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
            }

            await context.Response.WriteAsync(outcome.Answer.Body, context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    /// <summary>What can be decided on arrival: the key, an injected error, a replay, a conflict with a request in progress.</summary>
    private Outcome Begin(string method, string path, string? apiKey, string? idempotencyKey, StripeForm form)
    {
        lock (gate)
        {
            var requestId = $"req_fake{requests.Count + inProgress.Count + 1:D6}";
            if (apiKey is null || !accountsByKey.TryGetValue(apiKey, out var account))
            {
                var shown = apiKey is { Length: > 8 } ? apiKey[..8] + "***" + apiKey[^4..] : "(none)";
                return new Outcome(requestId, null, FakeAnswer.Error(401, "invalid_request_error", null, $"Invalid API Key provided: {shown}"));
            }

            var failure = TakeFailure(method, path);
            if (failure is { Mode: FakeFailureMode.Error })
            {
                return new Outcome(requestId, account, FakeAnswer.Error(failure.StatusCode, failure.Type, null, "Injected by the test.", failure.Code)) { ShouldRetry = failure.ShouldRetry };
            }

            if (idempotencyKey is not null)
            {
                var slot = (account, idempotencyKey);
                if (idempotent.TryGetValue(slot, out var saved) && clock.GetUtcNow() - saved.At >= IdempotencyWindow)
                {
                    idempotent.Remove(slot);
                }

                if (idempotent.TryGetValue(slot, out saved))
                {
                    return saved.Path == path && saved.Parameters == form.Canonical()
                        ? new Outcome(requestId, account, saved.Answer) { Replayed = true }
                        : new Outcome(requestId, account, FakeAnswer.Error(400, "idempotency_error", null, $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotencyKey}' if you meant to execute a different request."));
                }

                if (!inProgress.Add(slot))
                {
                    return new Outcome(requestId, account, FakeAnswer.Error(409, "idempotency_error", null, $"There is currently another in-progress request using this Stripe API key and idempotency key '{idempotencyKey}'. Please try again later."));
                }
            }

            return new Outcome(requestId, account, null) { Drop = failure is { Mode: FakeFailureMode.DropResponse } };
        }
    }

    private Outcome Complete(string method, string path, Outcome outcome, string? idempotencyKey, StripeForm form)
    {
        lock (gate)
        {
            var answer = api.Execute(method, path, outcome.Account!, form);
            if (idempotencyKey is not null)
            {
                inProgress.Remove((outcome.Account!, idempotencyKey));

                // Stripe saves the result of a request that ran; here only successes, which is all Tally's tests need.
                if (answer.StatusCode == 200)
                {
                    idempotent[(outcome.Account!, idempotencyKey)] = new SavedAnswer(answer, path, form.Canonical(), clock.GetUtcNow());
                }
            }

            return outcome with { Answer = answer };
        }
    }

    private void Record(string method, string path, Outcome outcome, string? idempotencyKey)
    {
        lock (gate)
        {
            requests.Add(new FakeStripeRequest(method, path, outcome.Account, idempotencyKey, outcome.Answer!.StatusCode, outcome.Replayed, outcome.Drop));
        }
    }

    private FakeFailure? TakeFailure(string method, string path)
    {
        for (var i = 0; i < failures.Count; i++)
        {
            var (failure, seen) = failures[i];
            if (!failure.Matches(method, path))
            {
                continue;
            }

            failures[i] = (failure, seen + 1);
            if (seen + 1 > failure.Skip + failure.Times)
            {
                continue;
            }

            if (seen + 1 > failure.Skip)
            {
                return failure;
            }
        }

        return null;
    }

    private static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    private List<T> Snapshot<T>(List<T> source)
    {
        lock (gate)
        {
            return [.. source];
        }
    }

    private sealed record SavedAnswer(FakeAnswer Answer, string Path, string Parameters, DateTimeOffset At);

    private sealed record Outcome(string RequestId, string? Account, FakeAnswer? Answer)
    {
        public bool Replayed { get; init; }

        public bool Drop { get; init; }

        public bool? ShouldRetry { get; init; }
    }
}
