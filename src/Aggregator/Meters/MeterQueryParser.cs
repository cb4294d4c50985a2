using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>
/// OpenMeter's meter query parameters: GET's query string read into the POST body's shape, then one
/// set of rules for both. As in OpenMeter, <c>subject</c> also groups by subject, <c>filterCustomerId</c>
/// also groups by customer, and from/to need not align with the window size (windows keep their full
/// bounds; only events inside [from, to) count).
/// </summary>
public static class MeterQueryParser
{
    public static (MeterQueryRequest Request, IReadOnlyList<FieldError> Errors) FromQueryString(IQueryCollection query)
    {
        var errors = new List<FieldError>();
        var request = new MeterQueryRequest
        {
            ClientId = query["clientId"].FirstOrDefault(),
            From = Instant(query, "from", errors),
            To = Instant(query, "to", errors),
            WindowSize = query["windowSize"].FirstOrDefault(),
            WindowTimeZone = query["windowTimeZone"].FirstOrDefault(),
            Subject = [.. query["subject"].OfType<string>()],
            FilterCustomerId = [.. query["filterCustomerId"].OfType<string>()],
            GroupBy = [.. query["groupBy"].OfType<string>()],
            FilterGroupBy = [],
        };
        foreach (var (key, values) in query)
        {
            if (key.StartsWith("filterGroupBy[", StringComparison.Ordinal) && key.EndsWith(']'))
            {
                request.FilterGroupBy[key["filterGroupBy[".Length..^1]] = [.. values.OfType<string>()];
            }
        }

        return (request, errors);
    }

    /// <summary>
    /// The query for <paramref name="meter"/>; <paramref name="customerBySubject"/> holds the subjects
    /// of the customers named in <c>filterCustomerId</c> (resolved by the caller, null when none named).
    /// </summary>
    public static (MeterQuery? Query, IReadOnlyList<FieldError> Errors) Resolve(
        MeterDefinition meter,
        MeterQueryRequest request,
        IReadOnlyDictionary<string, string>? customerBySubject)
    {
        var errors = new List<FieldError>();
        if (request.From is { } from && !Limits.IsStorable(from))
        {
            errors.Add(new FieldError("from", $"is {Iso(from)}; give an instant {Limits.StorableRange}."));
        }

        if (request.To is { } to && (to <= Limits.EarliestInstant || to > Limits.EndOfTime))
        {
            errors.Add(new FieldError("to", $"is {Iso(to)}; give an instant {Limits.StorableRange}."));
        }

        if (request is { From: { } f, To: { } t } && errors.Count == 0)
        {
            if (f == t)
            {
                errors.Add(new FieldError("from", "and to cannot be equal."));
            }
            else if (f > t)
            {
                errors.Add(new FieldError("from", "must be before to."));
            }
        }

        WindowSize? windowSize = null;
        if (request.WindowSize is { } sizeText && (windowSize = WindowSizes.Parse(sizeText)) is null)
        {
            errors.Add(new FieldError("windowSize", $"is '{Printable(sizeText)}'; use MINUTE, HOUR, DAY or MONTH."));
        }

        var timeZone = string.IsNullOrEmpty(request.WindowTimeZone) ? "UTC" : request.WindowTimeZone;
        if (timeZone.Length > 64 || Limits.HasControlCharacters(timeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add(new FieldError("windowTimeZone", $"is '{Printable(timeZone)}'; use an IANA time zone such as Europe/Budapest or America/Los_Angeles."));
        }

        var subjects = request.Subject ?? [];
        if (subjects.Count > Limits.QuerySubjects)
        {
            errors.Add(new FieldError("subject", $"names {subjects.Count} subjects; name at most {Limits.QuerySubjects} per query."));
        }
        else if (subjects.Select(subject => Limits.IdentifierProblem(subject)).FirstOrDefault(problem => problem is not null) is { } subjectProblem)
        {
            errors.Add(new FieldError("subject", subjectProblem));
        }

        var groupBy = new List<string>();
        var bySubject = subjects.Count > 0;
        var byCustomer = customerBySubject is not null;
        foreach (var name in request.GroupBy ?? [])
        {
            if (name == "subject")
            {
                bySubject = true;
            }
            else if (name == "customer_id")
            {
                if (customerBySubject is null)
                {
                    errors.Add(new FieldError("groupBy", "customer_id needs filterCustomerId: name the customers to group by."));
                }

                byCustomer = true;
            }
            else if (meter.GroupBy.ContainsKey(name))
            {
                if (!groupBy.Contains(name))
                {
                    groupBy.Add(name);
                }
            }
            else
            {
                errors.Add(new FieldError("groupBy", $"'{Printable(name)}' is not a group of meter {meter.Slug}; use subject, customer_id or one of: {string.Join(", ", meter.GroupBy.Keys)}."));
            }
        }

        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in request.FilterGroupBy ?? [])
        {
            var field = $"filterGroupBy[{Printable(name)}]";
            if (!meter.GroupBy.ContainsKey(name))
            {
                errors.Add(new FieldError(field, $"'{Printable(name)}' is not a group of meter {meter.Slug}."));
            }
            else if (values is null || values.Count is 0 or > Limits.QuerySubjects)
            {
                errors.Add(new FieldError(field, $"must list 1-{Limits.QuerySubjects} values."));
            }
            else if (values.Select(value => Limits.IdentifierProblem(value)).FirstOrDefault(problem => problem is not null) is { } problem)
            {
                errors.Add(new FieldError(field, problem));
            }
            else
            {
                filters[name] = values;
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new MeterQuery(meter, request.From?.ToUniversalTime(), request.To?.ToUniversalTime(), windowSize)
        {
            TimeZone = timeZone,
            Subjects = subjects,
            CustomerBySubject = customerBySubject,
            GroupBySubject = bySubject,
            GroupByCustomer = byCustomer,
            GroupBy = groupBy,
            FilterGroupBy = filters,
        }, []);
    }

    private static DateTimeOffset? Instant(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text) || string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUniversalTime();
        }

        errors.Add(new FieldError(name, $"is '{Printable(text.ToString())}'; use an RFC 3339 timestamp such as 2026-11-01T00:00:00Z."));
        return null;
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Printable(string text) =>
        Limits.HasControlCharacters(text) || text.Length > Limits.Identifier ? "(invalid value)" : text;
}
