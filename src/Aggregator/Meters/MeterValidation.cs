using System.Text.RegularExpressions;
using Tally.Billing;
using Tally.Billing.Meters;

namespace Tally.Aggregator.Meters;

/// <summary>Checks meter create and update requests (OpenMeter's rules, plus Tally's bounds) and builds the <see cref="MeterDefinition"/>.</summary>
public static partial class MeterValidation
{
    private static readonly Dictionary<string, MeterAggregation> Aggregations = new(StringComparer.Ordinal)
    {
        ["SUM"] = MeterAggregation.Sum,
        ["COUNT"] = MeterAggregation.Count,
        ["AVG"] = MeterAggregation.Avg,
        ["MIN"] = MeterAggregation.Min,
        ["MAX"] = MeterAggregation.Max,
        ["UNIQUE_COUNT"] = MeterAggregation.UniqueCount,
        ["LATEST"] = MeterAggregation.Latest,
    };

    public static (MeterDefinition? Meter, IReadOnlyList<FieldError> Errors) Validate(string tenantId, CreateMeterRequest request, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(request.Slug) || request.Slug.Length > Limits.Key || !SlugPattern().IsMatch(request.Slug))
        {
            errors.Add(new FieldError("slug", "is required: 1-63 lower-case letters, digits and '_' or '-' between them, such as tokens_total."));
        }

        MeterAggregation? aggregation = request.Aggregation is { } name && Aggregations.TryGetValue(name.ToUpperInvariant(), out var parsed) ? parsed : null;
        if (aggregation is null)
        {
            errors.Add(new FieldError("aggregation", $"is '{Printable(request.Aggregation)}'; use one of {string.Join(", ", Aggregations.Keys)}."));
        }

        if (string.IsNullOrWhiteSpace(request.EventType))
        {
            errors.Add(new FieldError("eventType", "is required: the CloudEvent type this meter counts, such as prompt."));
        }
        else if (Limits.IdentifierProblem(request.EventType) is { } eventTypeProblem)
        {
            errors.Add(new FieldError("eventType", eventTypeProblem));
        }

        if (aggregation == MeterAggregation.Count && request.ValueProperty is not null)
        {
            errors.Add(new FieldError("valueProperty", "must be left out for COUNT meters, which count events."));
        }
        else if (aggregation is { } needsValue && needsValue != MeterAggregation.Count && !JsonPath.TryParse(request.ValueProperty, out _, out var valueError))
        {
            errors.Add(new FieldError("valueProperty", $"{valueError} ({Aggregations.First(a => a.Value == needsValue).Key} meters read the value found there)."));
        }

        if (request.EventFrom is { } eventFrom && !Limits.IsStorable(eventFrom))
        {
            errors.Add(new FieldError("eventFrom", $"must be an instant {Limits.StorableRange}."));
        }

        CheckDescribed(request.Name, request.Description, request.GroupBy, request.Metadata, request.ValueProperty, errors);
        var filter = DataFilterParser.Parse(request.DataFilter, errors);
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
            aggregation == MeterAggregation.Count ? null : request.ValueProperty,
            new Dictionary<string, string>(request.GroupBy ?? [], StringComparer.Ordinal),
            now)
        {
            Name = string.IsNullOrEmpty(request.Name) ? request.Slug! : request.Name,
            EventFrom = request.EventFrom?.ToUniversalTime(),
            DataFilter = filter,
            Metadata = request.Metadata,
        };
        return (meter, []);
    }

    /// <summary>
    /// OpenMeter's PUT semantics: name, groupBy and metadata are replaced (an omitted name becomes the
    /// slug, an omitted groupBy none), an omitted description is kept; the rest cannot change.
    /// </summary>
    public static (MeterDefinition? Meter, IReadOnlyList<FieldError> Errors) Update(MeterDefinition current, UpdateMeterRequest request, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        CheckDescribed(request.Name, request.Description, request.GroupBy, request.Metadata, current.ValueProperty, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (current with
        {
            Name = string.IsNullOrEmpty(request.Name) ? current.Slug : request.Name,
            Description = request.Description ?? current.Description,
            GroupBy = new Dictionary<string, string>(request.GroupBy ?? [], StringComparer.Ordinal),
            Metadata = request.Metadata,
            UpdatedAt = now,
        }, []);
    }

    private static void CheckDescribed(
        string? name,
        string? description,
        Dictionary<string, string>? groupBy,
        Dictionary<string, string>? metadata,
        string? valueProperty,
        List<FieldError> errors)
    {
        if (name is not null && Limits.IdentifierProblem(name, Limits.Name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (description is { Length: 0 })
        {
            errors.Add(new FieldError("description", "must not be an empty string; leave it out instead."));
        }
        else if (description is { Length: > Limits.Description })
        {
            errors.Add(new FieldError("description", $"is {description.Length} characters long; at most {Limits.Description} are allowed."));
        }

        if (groupBy is { Count: > Limits.GroupByEntries })
        {
            errors.Add(new FieldError("groupBy", $"has {groupBy.Count} entries; a meter groups by at most {Limits.GroupByEntries} properties."));
        }

        foreach (var (group, path) in (groupBy ?? []).Take(Limits.GroupByEntries))
        {
            if (!GroupNamePattern().IsMatch(group) || group is "subject" or "customer_id")
            {
                errors.Add(new FieldError($"groupBy.{Printable(group)}", "is not a valid group name: 1-63 letters, digits and '_', not starting with a digit, and not 'subject' or 'customer_id'."));
            }
            else if (!JsonPath.TryParse(path, out _, out var pathError))
            {
                errors.Add(new FieldError($"groupBy.{group}", pathError + "."));
            }
            else if (path == valueProperty)
            {
                errors.Add(new FieldError($"groupBy.{group}", "must not be the meter's valueProperty."));
            }
        }

        if (metadata is { Count: > 50 } || (metadata ?? []).Any(pair => Limits.IdentifierProblem(pair.Key, Limits.Key) is not null || pair.Value is null || pair.Value.Length > Limits.Name))
        {
            errors.Add(new FieldError("metadata", "must map at most 50 keys of 1-63 printable characters to strings of at most 256 characters."));
        }
    }

    // A value echoed in an error must stay short and printable whatever the client sent.
    private static string Printable(string? text) =>
        text is null ? "(none)" : Limits.HasControlCharacters(text) || text.Length > Limits.Key ? "(invalid value)" : text;

    [GeneratedRegex("^[a-z0-9]+(?:[_-][a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex GroupNamePattern();
}
