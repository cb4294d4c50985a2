using Tally.Bench.Generation;

namespace Tally.Bench.Load;

/// <summary>
/// Hands out the generator's batches in order, one sender at a time. Every batch taken is sent (a phase
/// stops taking, never drops), so the batches sent are always the first <see cref="Taken"/> of the run.
/// </summary>
public sealed class BatchSource(EventGenerator generator)
{
    private readonly Lock _gate = new();

    public LoadProfile Profile => generator.Profile;

    public long Taken
    {
        get
        {
            lock (_gate)
            {
                return generator.Batches;
            }
        }
    }

    public GeneratedBatch Next()
    {
        lock (_gate)
        {
            return generator.Next();
        }
    }
}
