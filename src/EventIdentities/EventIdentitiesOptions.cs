using System.ComponentModel.DataAnnotations;

namespace Tally.EventIdentities;

/// <summary>Configuration section <c>EventIdentities</c>; start-up fails with a message naming the key that is wrong.</summary>
public sealed class EventIdentitiesOptions : IValidatableObject
{
    public const string SectionName = "EventIdentities";

    /// <summary>Directory of the RocksDB database; defaults to <c>{data-dir}/identities</c>. One process per directory.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// LRU block cache for data, index and bloom filter blocks. Filters take about 1.25 bytes per
    /// identity; while they fit, a lookup of an absent identity reads nothing from disk.
    /// </summary>
    [Range(8, 65536, ErrorMessage = "EventIdentities:BlockCacheMegabytes must be between 8 and 65536.")]
    public int BlockCacheMegabytes { get; set; } = 64;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Directory is { } path && (string.IsNullOrWhiteSpace(path) || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            yield return new ValidationResult("EventIdentities:Directory must be a directory path.", [nameof(Directory)]);
        }
    }
}
