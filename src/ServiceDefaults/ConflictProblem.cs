using Microsoft.AspNetCore.Http;
using Tally.Billing;

namespace Tally.ServiceDefaults;

/// <summary>
/// Turns a <see cref="LedgerConflictException"/> escaping any route into a 409 problem naming the
/// field, so routes need no try/catch around ledger writes.
/// </summary>
internal static class ConflictProblem
{
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.Exception is not LedgerConflictException conflict)
        {
            return;
        }

        context.ProblemDetails.Status = StatusCodes.Status409Conflict;
        context.ProblemDetails.Title = "Conflict";
        context.ProblemDetails.Detail = $"{conflict.Field}: {conflict.Message}";
        context.ProblemDetails.Type = "https://tally.dev/problems/conflict";
        context.ProblemDetails.Extensions["errors"] = new[] { new FieldError(conflict.Field, conflict.Message) };
    }
}
