using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Tally.Billing;

namespace Tally.Rating.Live;

/// <summary>
/// The rating grains' storage provider on the embedded ledger (SQLite): state as JSON in the ledger's
/// <c>grain_state</c> table, with an etag for Orleans' optimistic concurrency. With PostgreSQL configured
/// the host registers Orleans' ADO.NET provider under the same name instead.
/// </summary>
public sealed class RatingStorage(IGrainStateStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) : IGrainStorage
{
    /// <summary>The storage name the rating grains use.</summary>
    public const string Name = "rating";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await store.ReadAsync(stateName, grainId.ToString(), CancellationToken.None);
        if (stored is { } found)
        {
            grainState.State = JsonSerializer.Deserialize<T>(found.State)!;
            grainState.ETag = found.ETag;
            grainState.RecordExists = true;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = await store.WriteAsync(stateName, grainId.ToString(), JsonSerializer.Serialize(grainState.State), grainState.ETag, clock.GetUtcNow(), CancellationToken.None)
            ?? throw new InconsistentStateException($"The stored state of {grainId} changed under this activation.", grainState.ETag ?? "(none)", "(unknown)");
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.ClearAsync(stateName, grainId.ToString(), CancellationToken.None);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }
}
