using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.ServiceDefaults;

namespace Tally.Rating;

/// <summary>
/// A JSON request body being read by a catalog route: the document, and the field errors found so far
/// (<see cref="Fields"/> adds them). A wrong content type or malformed JSON is <see cref="Problem"/>.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private readonly JsonDocument? _document;

    private RequestBody(JsonDocument? document, IResult? problem)
    {
        _document = document;
        Problem = problem;
        Fields = new JsonFields(Errors);
    }

    public IResult? Problem { get; }

    /// <summary>False when an optional body was left out.</summary>
    public bool IsPresent => _document is not null;

    public JsonElement Root => _document?.RootElement ?? default;

    public List<FieldError> Errors { get; } = [];

    public JsonFields Fields { get; }

    /// <summary>The 400 listing every field error.</summary>
    public IResult Invalid => Problems.Validation(Errors);

    public static async Task<RequestBody> ReadAsync(HttpRequest request, bool optional = false)
    {
        var (document, problem) = await RatingJson.ReadAsync(request, optional);
        return new RequestBody(document, problem);
    }

    public void Dispose() => _document?.Dispose();
}
