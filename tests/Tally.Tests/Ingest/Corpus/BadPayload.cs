namespace Tally.Tests.Ingest.Corpus;

/// <summary>Who sends a bad payload: a tenant key (the usual), none, a wrong one, another scheme, the admin token.</summary>
public enum Caller
{
    Tenant,
    Anonymous,
    UnknownKey,
    BasicScheme,
    Admin,
}

/// <summary>
/// One request Tally must refuse: the body (bytes, since some are not UTF-8), its content type, who sends it,
/// and exactly what must come back: status, problem type and, for validation errors, the first field.
/// </summary>
public sealed record BadPayload(string Name, byte[] Body, string? ContentType, int Status, string ProblemType, string? Field, Caller Caller = Caller.Tenant)
{
    public const string Validation = "https://tally.dev/problems/validation";
    public const string Unauthorized = "https://tally.dev/problems/unauthorized";
    public const string Forbidden = "https://tally.dev/problems/forbidden";
    public const string UnsupportedMediaType = "https://tally.dev/problems/unsupported-media-type";
    public const string TooLarge = "https://tally.dev/problems/too-large";

    public override string ToString() => Name;
}
