using System.Text.RegularExpressions;
using Tally.Billing;
using Tally.Billing.Meters;

namespace Tally.Aggregator.Meters;

/// <summary>Checks a meter create request and turns it into a <see cref="MeterDefinition"/>.</summary>
public static partial class MeterValidation
{
    public static (MeterDefinition? Meter, IReadOnlyList<FieldError> Errors) Validate(string tenantId, CreateMeterRequest request, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(request.Slug) || request.Slug.Length > 63 || !SlugPattern().IsMatch(request.Slug))
        {
            errors.Add(new FieldError("slug", "is required: 1-63 lower-case letters, digits and '_' or '-' between them, such as tokens_total."));
        }

        MeterAggregation? aggregation = request.Aggregation?.ToUpperInvariant() switch
        {
            "SUM" => MeterAggregation.Sum,
            "COUNT" => MeterAggregation.Count,
            _ => null,
        };
        if (aggregation is null)
        {
            errors.Add(new FieldError("aggregation", $"is '{request.Aggregation}'; use SUM or COUNT."));
        }

        if (string.IsNullOrWhiteSpace(request.EventType))
        {
            errors.Add(new FieldError("eventType", "is required: the CloudEvent type this meter counts, such as prompt."));
        }
        else if (Limits.IdentifierProblem(request.EventType) is { } eventTypeProblem)
        {
            errors.Add(new FieldError("eventType", eventTypeProblem));
        }

        if (request.Name is { } name && Limits.IdentifierProblem(name, Limits.Name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (request.Description is { Length: > Limits.Description })
        {
            errors.Add(new FieldError("description", $"is {request.Description.Length} characters long; at most {Limits.Description} are allowed."));
        }

        if (request.GroupBy is { Count: > Limits.GroupByEntries })
        {
            errors.Add(new FieldError("groupBy", $"has {request.GroupBy.Count} entries; a meter groups by at most {Limits.GroupByEntries} properties."));
        }

        if (aggregation == MeterAggregation.Sum && !JsonPath.TryParse(request.ValueProperty, out _, out var valueError))
        {
            errors.Add(new FieldError("valueProperty", $"{valueError} (SUM meters add up the number found there)."));
        }

        if (aggregation == MeterAggregation.Count && request.ValueProperty is not null)
        {
            errors.Add(new FieldError("valueProperty", "must be left out for COUNT meters, which count events."));
        }

        foreach (var (group, path) in (request.GroupBy ?? []).Take(Limits.GroupByEntries))
        {
            if (!GroupNamePattern().IsMatch(group) || group == "subject")
            {
                errors.Add(new FieldError($"groupBy.{Printable(group)}", "is not a valid group name: 1-63 letters, digits and '_', not starting with a digit, and not 'subject'."));
            }
            else if (!JsonPath.TryParse(path, out _, out var pathError))
            {
                errors.Add(new FieldError($"groupBy.{group}", pathError + "."));
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var meter = new MeterDefinition(
            tenantId,
            Ids.New("mtr"),
            request.Slug!,
            request.Description,
            request.EventType!,
            aggregation!.Value,
            aggregation == MeterAggregation.Sum ? request.ValueProperty : null,
            new Dictionary<string, string>(request.GroupBy ?? [], StringComparer.Ordinal),
            now);
        return (meter, []);
    }

    // A field name echoed in an error must stay short and printable whatever the client sent.
    private static string Printable(string text) =>
        Limits.HasControlCharacters(text) || text.Length > Limits.Key ? "(invalid name)" : text;

    [GeneratedRegex("^[a-z0-9]+(?:[_-][a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex GroupNamePattern();
}
