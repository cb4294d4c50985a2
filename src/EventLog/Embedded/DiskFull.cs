namespace Tally.EventLog.Embedded;

/// <summary>
/// Tells a full disk from other write failures. On Linux .NET raises an <see cref="IOException"/> whose
/// HResult is the raw errno (checked against a full tmpfs: HResult 28, "No space left on device"), so the
/// errno decides, not the localizable message; the exception chain is walked because callers may wrap it.
/// </summary>
internal static class DiskFull
{
    private const int NoSpace = 28;        // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT

    public static bool IsCause(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: NoSpace or QuotaExceeded })
            {
                return true;
            }
        }

        return false;
    }
}
