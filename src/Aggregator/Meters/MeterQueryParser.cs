using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>Reads OpenMeter's meter query parameters: from, to, windowSize, windowTimeZone, subject, groupBy, filterGroupBy[name].</summary>
public static class MeterQueryParser
{
    public static (MeterQuery? Query, IReadOnlyList<FieldError> Errors) Parse(MeterDefinition meter, IQueryCollection query, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var from = ParseInstant(query, "from", errors) ?? DateTimeOffset.UnixEpoch;
        var to = ParseInstant(query, "to", errors) ?? CeilingMinute(now);
        WindowSize? windowSize = null;
        if (query.TryGetValue("windowSize", out var windowText))
        {
            windowSize = windowText.ToString().ToUpperInvariant() switch
            {
                "MINUTE" => WindowSize.Minute,
                "HOUR" => WindowSize.Hour,
                "DAY" => WindowSize.Day,
                _ => null,
            };
            if (windowSize is null)
            {
                errors.Add(new FieldError("windowSize", $"is '{windowText}'; use MINUTE, HOUR or DAY."));
            }
        }

        if (query.TryGetValue("windowTimeZone", out var zone) && zone.ToString() is not ("UTC" or "Etc/UTC"))
        {
            errors.Add(new FieldError("windowTimeZone", $"is '{zone}'; only UTC windows are supported so far."));
        }

        if (from >= to && errors.Count == 0)
        {
            errors.Add(new FieldError("from", "must be before to."));
        }

        if (windowSize is { } size && (!IsAligned(from, size) || (query.ContainsKey("to") && !IsAligned(to, size))))
        {
            errors.Add(new FieldError("from", $"and to must be aligned to the window size {size.ToString().ToUpperInvariant()} (e.g. whole hours for HOUR)."));
        }

        var groupBy = new List<string>();
        var bySubject = query.ContainsKey("subject");
        foreach (var name in query["groupBy"])
        {
            if (name == "subject")
            {
                bySubject = true;
            }
            else if (name is not null && meter.GroupBy.ContainsKey(name))
            {
                groupBy.Add(name);
            }
            else
            {
                errors.Add(new FieldError("groupBy", $"'{name}' is not a group of meter {meter.Slug}; use subject or one of: {string.Join(", ", meter.GroupBy.Keys)}."));
            }
        }

        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (key.StartsWith("filterGroupBy[", StringComparison.Ordinal) && key.EndsWith(']'))
            {
                var name = key["filterGroupBy[".Length..^1];
                if (!meter.GroupBy.ContainsKey(name))
                {
                    errors.Add(new FieldError(key, $"'{name}' is not a group of meter {meter.Slug}."));
                }
                else if (Limits.IdentifierProblem(value.ToString()) is { } problem)
                {
                    errors.Add(new FieldError(key, problem));
                }
                else
                {
                    filters[name] = value.ToString();
                }
            }
        }

        var subjects = query["subject"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
        if (subjects.Count > Limits.QuerySubjects)
        {
            errors.Add(new FieldError("subject", $"names {subjects.Count} subjects; name at most {Limits.QuerySubjects} per query."));
        }

        foreach (var subject in subjects)
        {
            if (Limits.IdentifierProblem(subject) is { } problem)
            {
                errors.Add(new FieldError("subject", problem));
                break;
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new MeterQuery(meter.TenantId, meter.Id, from, to, windowSize, subjects, bySubject, groupBy, filters)
        {
            FromGiven = query.ContainsKey("from"),
            ToGiven = query.ContainsKey("to"),
        }, []);
    }

    private static DateTimeOffset? ParseInstant(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            if (!Limits.IsStorable(instant) && instant != Limits.EndOfTime)
            {
                errors.Add(new FieldError(name, $"is {text}; give an instant {Limits.StorableRange}."));
                return null;
            }

            return instant.ToUniversalTime();
        }

        errors.Add(new FieldError(name, $"is '{text}'; use an RFC 3339 timestamp such as 2026-11-01T00:00:00Z."));
        return null;
    }

    private static bool IsAligned(DateTimeOffset instant, WindowSize size) => size switch
    {
        WindowSize.Minute => instant.Ticks % TimeSpan.TicksPerMinute == 0,
        WindowSize.Hour => instant.Ticks % TimeSpan.TicksPerHour == 0,
        _ => instant.Ticks % TimeSpan.TicksPerDay == 0,
    };

    private static DateTimeOffset CeilingMinute(DateTimeOffset now)
    {
        var ticks = now.UtcTicks + TimeSpan.TicksPerMinute - 1;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
