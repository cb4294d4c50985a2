using System.Text.Json.Serialization;
using Tally.Aggregator.Meters;
using Tally.Billing.Meters;
using Tally.Billing.Portal;

namespace Tally.Aggregator.Portal;

/// <summary>OpenMeter's <c>PortalToken</c> as a create request: <c>subject</c>, optional <c>allowedMeterSlugs</c> and <c>expiresAt</c>.</summary>
public sealed class CreatePortalTokenRequest
{
    public string? Subject { get; set; }

    public List<string>? AllowedMeterSlugs { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>OpenMeter's invalidate body: <c>{id}</c> or <c>{subject}</c> (both: the token must match both).</summary>
public sealed class InvalidatePortalTokensRequest
{
    public string? Id { get; set; }

    public string? Subject { get; set; }
}

/// <summary>OpenMeter's <c>PortalToken</c>: <c>token</c> only in the create response, <c>expired</c> only when true.</summary>
public sealed record PortalTokenResponse(
    string Id,
    string Subject,
    IReadOnlyList<string> AllowedMeterSlugs,
    DateTime ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Expired,
    DateTime CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token)
{
    public static PortalTokenResponse From(PortalToken token, DateTimeOffset now, string? secret = null) => new(
        token.Id,
        token.Subject,
        token.AllowedMeterSlugs,
        token.ExpiresAt.UtcDateTime,
        token.IsExpired(now) ? true : null,
        token.CreatedAt.UtcDateTime,
        secret);
}

/// <summary>
/// A meter as a portal token sees it (Tally's <c>GET /api/v1/portal/meters</c>): what a dashboard needs
/// to label and split it, without the event type, value property or filters that define it.
/// </summary>
public sealed record PortalMeterResponse(
    string Slug,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string Aggregation,
    IReadOnlyList<string> GroupBy)
{
    public static PortalMeterResponse From(MeterDefinition meter) =>
        new(meter.Slug, meter.Name, meter.Description, MeterResponse.AggregationName(meter.Aggregation), [.. meter.GroupBy.Keys]);
}
