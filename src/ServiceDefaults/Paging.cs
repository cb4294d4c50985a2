using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;

namespace Tally.ServiceDefaults;

/// <summary>OpenMeter's paginated envelope: <c>{totalCount, page, pageSize, items}</c>.</summary>
public sealed record Paginated<T>(int TotalCount, int Page, int PageSize, IReadOnlyList<T> Items);

/// <summary>OpenMeter's <c>page</c> (from 1) and <c>pageSize</c> (1-1000, default 100) query parameters.</summary>
public static class Paging
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>The page asked for, or the errors naming the parameter to fix.</summary>
    public static (int Page, int PageSize) Read(IQueryCollection query, List<FieldError> errors)
    {
        var page = Number(query, "page", 1, int.MaxValue, 1, errors);
        var pageSize = Number(query, "pageSize", 1, MaxPageSize, DefaultPageSize, errors);
        return (page, pageSize);
    }

    private static int Number(IQueryCollection query, string name, int min, int max, int fallback, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(new FieldError(name, $"is '{text}'; use a whole number from {min} to {max}."));
        return fallback;
    }
}
