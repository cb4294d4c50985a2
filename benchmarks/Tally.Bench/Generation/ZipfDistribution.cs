namespace Tally.Bench.Generation;

/// <summary>
/// Zipf's law over ranks 0..n-1: rank k is drawn with weight 1/(k+1)^s, so with s near 1 a few ranks
/// (tenants, customers) send most of the events, as on a real multi-tenant service.
/// </summary>
public sealed class ZipfDistribution
{
    private readonly double[] _cumulative;

    public ZipfDistribution(int count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _cumulative = new double[count];
        double total = 0;
        for (var k = 0; k < count; k++)
        {
            total += 1.0 / Math.Pow(k + 1, exponent);
            _cumulative[k] = total;
        }

        for (var k = 0; k < count; k++)
        {
            _cumulative[k] /= total;
        }
    }

    public int Count => _cumulative.Length;

    /// <summary>The probability of rank <paramref name="rank"/>.</summary>
    public double Share(int rank) => _cumulative[rank] - (rank == 0 ? 0 : _cumulative[rank - 1]);

    /// <summary>The rank a uniform draw in [0, 1) falls on.</summary>
    public int Sample(double uniform)
    {
        var index = Array.BinarySearch(_cumulative, uniform);
        index = index >= 0 ? index + 1 : ~index;
        return Math.Min(index, _cumulative.Length - 1);
    }
}
