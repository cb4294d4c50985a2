using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;

namespace Tally.ServiceDefaults;

/// <summary>OpenMeter's paginated envelope: <c>{totalCount, page, pageSize, items}</c>.</summary>
public sealed record Paginated<T>(int TotalCount, int Page, int PageSize, IReadOnlyList<T> Items);

/// <summary>
/// OpenMeter's <c>page</c> (from 1) and <c>pageSize</c> (1-1000, default 100) query parameters: the one
/// reader of every list route. <see cref="Asked"/> says whether either was given, because OpenMeter's
/// catalog lists (features, v1 entitlements) answer a bare array unless a page is asked for.
/// </summary>
public readonly record struct Paging(int Page, int PageSize, bool Asked)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>Items before the page: a long, so a page far past the end is empty rather than an overflow.</summary>
    public long Offset => (long)(Page - 1) * PageSize;

    /// <summary>The page asked for, adding an error per parameter to fix; the first page of 100 when none is asked for.</summary>
    public static Paging Read(IQueryCollection query, List<FieldError> errors)
    {
        var page = Number(query, "page", int.MaxValue, 1, "pages are numbered from 1", errors, out var pageAsked);
        var pageSize = Number(query, "pageSize", MaxPageSize, DefaultPageSize, $"use a whole number from 1 to {MaxPageSize}", errors, out var sizeAsked);
        return new Paging(page, pageSize, pageAsked || sizeAsked);
    }

    /// <summary>The page asked for, or the 400 problem naming the parameters to fix.</summary>
    public static (Paging Paging, IResult? Problem) From(HttpRequest request)
    {
        var errors = new List<FieldError>();
        var paging = Read(request.Query, errors);
        return (paging, errors.Count > 0 ? Problems.Validation(errors) : null);
    }

    /// <summary>The page of a whole list, with the list's size as the total.</summary>
    public Paginated<T> Cut<T>(IReadOnlyList<T> all) =>
        new(all.Count, Page, PageSize, [.. all.Skip((int)Math.Min(Offset, int.MaxValue)).Take(PageSize)]);

    private static int Number(IQueryCollection query, string name, int max, int fallback, string rule, List<FieldError> errors, out bool asked)
    {
        asked = query.TryGetValue(name, out var text);
        if (!asked)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        errors.Add(new FieldError(name, $"is '{text}'; {rule}."));
        return fallback;
    }
}
