namespace Tally.Billing;

/// <summary>Creates prefixed, time-ordered identifiers such as <c>mtr_01936f...</c>.</summary>
public static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";
}
