namespace Tally.FakeStripe;

/// <summary>How an injected failure shows itself to the client.</summary>
public enum FakeFailureMode
{
    /// <summary>Answers an error before doing anything: nothing is created and the idempotency key stays unused.</summary>
    Error,

    /// <summary>
    /// Does the work (and saves the answer under the idempotency key), then drops the connection
    /// without answering: Stripe succeeded, but the client never learns it, as in a crash right after
    /// Stripe's answer arrived.
    /// </summary>
    DropResponse,
}

/// <summary>
/// A failure the fake injects into matching requests. <see cref="Path"/> is an exact path or one with
/// <c>*</c> for one segment (<c>/v1/invoices/*/finalize</c>); <see cref="Method"/> null matches any.
/// The first <see cref="Skip"/> matching requests pass, the next <see cref="Times"/> fail.
/// </summary>
public sealed record FakeFailure(string Path, string? Method = "POST")
{
    public int Skip { get; init; }

    public int Times { get; init; } = 1;

    public FakeFailureMode Mode { get; init; } = FakeFailureMode.Error;

    public int StatusCode { get; init; } = 500;

    /// <summary>Stripe's error <c>type</c>: <c>api_error</c>, <c>invalid_request_error</c>, <c>card_error</c>, <c>idempotency_error</c>, …</summary>
    public string Type { get; init; } = "api_error";

    public string? Code { get; init; }

    /// <summary>
    /// The <c>Stripe-Should-Retry</c> header: false (the default) stops Stripe.net's own retries so the
    /// failure reaches Tally; null leaves the decision to Stripe.net's rules.
    /// </summary>
    public bool? ShouldRetry { get; init; } = false;

    internal bool Matches(string method, string path)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var pattern = Path.Split('/');
        var actual = path.Split('/');
        return pattern.Length == actual.Length && pattern.Zip(actual).All(pair => pair.First == "*" || pair.First == pair.Second);
    }
}
