using System.Globalization;
using System.Text;

namespace Tally.RatingBench;

/// <summary>
/// The usage of one run: 1 to 5 <c>prompt</c> events per customer of 1 to 3,000 tokens each (seeded),
/// shuffled across customers and cut into CloudEvents batches, with each customer's expected total and
/// the customers whose last event is among the last events sent (the ones whose bills change last).
/// </summary>
public sealed class BenchUsage
{
    private BenchUsage(IReadOnlyList<byte[]> batches, decimal[] tokens, int events, IReadOnlySet<int> lastTouched)
    {
        Batches = batches;
        Tokens = tokens;
        Events = events;
        LastTouched = lastTouched;
    }

    public IReadOnlyList<byte[]> Batches { get; }

    /// <summary>Tokens per customer index.</summary>
    public decimal[] Tokens { get; }

    public int Events { get; }

    /// <summary>Customers with an event among the last 2% of events sent.</summary>
    public IReadOnlySet<int> LastTouched { get; }

    public static BenchUsage Create(IReadOnlyList<BenchCustomer> customers, string run, DateTimeOffset time, int batchSize, int seed)
    {
        var random = new Random(seed);
        var events = new List<(int Customer, int Tokens)>();
        var tokens = new decimal[customers.Count];
        foreach (var customer in customers)
        {
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                var value = random.Next(1, 3001);
                events.Add((customer.Index, value));
                tokens[customer.Index] += value;
            }
        }

        var shuffled = events.ToArray();
        random.Shuffle(shuffled);
        var at = CatalogTime(time);
        var batches = new List<byte[]>();
        var body = new StringBuilder();
        for (var start = 0; start < shuffled.Length; start += batchSize)
        {
            body.Clear().Append('[');
            for (var i = start; i < Math.Min(start + batchSize, shuffled.Length); i++)
            {
                var (customer, value) = shuffled[i];
                body.Append(i == start ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $$$"""{"specversion":"1.0","id":"{{{run}}}-{{{i}}}","source":"ratebench","type":"prompt","subject":"{{{customers[customer].Subject}}}","time":"{{{at}}}","data":{"tokens":{{{value}}}}}""");
            }

            batches.Add(Encoding.UTF8.GetBytes(body.Append(']').ToString()));
        }

        var tail = shuffled.Length - Math.Max(1, shuffled.Length / 50);
        return new BenchUsage(batches, tokens, shuffled.Length, shuffled[tail..].Select(e => e.Customer).ToHashSet());
    }

    private static string CatalogTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
