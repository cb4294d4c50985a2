using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.ServiceDefaults;

namespace Tally.Rating;

/// <summary>Reads <c>page</c> (from 1) and <c>pageSize</c> (1 to 1000, default 100) and cuts a list into the page asked for.</summary>
internal readonly record struct Paging(int Page, int PageSize, bool Asked)
{
    public const int MaxPageSize = 1000;

    public static (Paging Paging, FieldError? Error) From(HttpRequest request)
    {
        var page = 1;
        var size = 100;
        var asked = false;
        if (request.Query.TryGetValue("page", out var pageText))
        {
            asked = true;
            if (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1)
            {
                return (default, new FieldError("page", $"is '{pageText}'; pages are numbered from 1."));
            }
        }

        if (request.Query.TryGetValue("pageSize", out var sizeText))
        {
            asked = true;
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize)
            {
                return (default, new FieldError("pageSize", $"is '{sizeText}'; use 1 to {MaxPageSize}."));
            }
        }

        return (new Paging(page, size, asked), null);
    }

    public Paginated<T> Cut<T>(IReadOnlyList<T> all) =>
        new(all.Count, Page, PageSize, [.. all.Skip((int)Math.Min((long)(Page - 1) * PageSize, int.MaxValue)).Take(PageSize)]);
}
