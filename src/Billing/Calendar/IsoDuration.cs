using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tally.Billing.Calendar;

/// <summary>
/// An ISO 8601 duration as OpenMeter's API writes cadences and periods (<c>P1M</c>, <c>P2W</c>,
/// <c>PT1H</c>, <c>P1Y</c>): calendar months and days are kept apart from clock time, so adding
/// <c>P1M</c> to 31 January gives the last day of February, and adding it k times from an anchor is
/// the anchor plus k months (never a drifting sum).
/// </summary>
public readonly partial record struct IsoDuration(int Months, int Days, TimeSpan Time)
{
    public static IsoDuration Month { get; } = new(1, 0, TimeSpan.Zero);

    public bool IsZero => Months == 0 && Days == 0 && Time == TimeSpan.Zero;

    /// <summary>Parses <c>PnYnMnWnDTnHnMnS</c> (whole numbers; seconds may have a fraction).</summary>
    public static bool TryParse(string? text, out IsoDuration duration)
    {
        duration = default;
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true } || text == "P" || text!.EndsWith('T'))
        {
            return false;
        }

        static long Part(Match m, string name) => m.Groups[name].Success ? long.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var seconds = match.Groups["s"].Success ? decimal.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : 0m;
        var months = (Part(match, "y") * 12) + Part(match, "mo");
        var days = (Part(match, "w") * 7) + Part(match, "d");
        var time = (Part(match, "h") * 3600m) + (Part(match, "mi") * 60m) + seconds;
        if (months > 12 * 1000 || days > 366 * 1000 || time > 86_400m * 366 * 1000)
        {
            return false;
        }

        duration = new IsoDuration((int)months, (int)days, TimeSpan.FromTicks((long)(time * TimeSpan.TicksPerSecond)));
        return !duration.IsZero;
    }

    public static IsoDuration Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not an ISO 8601 duration such as P1M.");

    /// <summary><paramref name="instant"/> plus <paramref name="times"/> of this duration (negative goes back).</summary>
    public DateTimeOffset AddTo(DateTimeOffset instant, int times = 1) =>
        instant.AddMonths(Months * times).AddDays((double)Days * times).Add(Time * times);

    /// <summary>A rough length, only for comparing durations (a month counts 30 days).</summary>
    public TimeSpan Approximate => TimeSpan.FromDays((Months * 30d) + Days) + Time;

    public override string ToString()
    {
        var text = new StringBuilder("P");
        if (Months % 12 == 0 && Months != 0)
        {
            text.Append(Months / 12).Append('Y');
        }
        else if (Months != 0)
        {
            text.Append(Months).Append('M');
        }

        if (Days % 7 == 0 && Days != 0 && Months == 0 && Time == TimeSpan.Zero)
        {
            text.Append(Days / 7).Append('W');
        }
        else if (Days != 0)
        {
            text.Append(Days).Append('D');
        }

        if (Time != TimeSpan.Zero)
        {
            text.Append('T');
            if (Time.Hours + (Time.Days * 24) != 0)
            {
                text.Append(Time.Hours + (Time.Days * 24)).Append('H');
            }

            if (Time.Minutes != 0)
            {
                text.Append(Time.Minutes).Append('M');
            }

            var seconds = Time.Seconds + (Time.Ticks % TimeSpan.TicksPerSecond / (decimal)TimeSpan.TicksPerSecond);
            if (seconds != 0)
            {
                text.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^P(?:(?<y>\d{1,4})Y)?(?:(?<mo>\d{1,5})M)?(?:(?<w>\d{1,5})W)?(?:(?<d>\d{1,6})D)?(?:T(?:(?<h>\d{1,7})H)?(?:(?<mi>\d{1,9})M)?(?:(?<s>\d{1,10}(?:\.\d{1,7})?)S)?)?$")]
    private static partial Regex Pattern();
}
