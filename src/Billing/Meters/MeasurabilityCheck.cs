using Tally.Billing.Events;

namespace Tally.Billing.Meters;

/// <summary>
/// The ingest rule that keeps usage from being accepted and then silently dropped: an event whose type a
/// meter of the tenant measures must be measurable by that meter (its value property present and a
/// number or numeric string within range). Types no meter knows are accepted, as OpenMeter accepts them.
/// </summary>
public static class MeasurabilityCheck
{
    /// <summary>One error per event and meter that cannot measure it, naming <c>[index].data.path</c> and the meter.</summary>
    /// <param name="events">The parsed batch.</param>
    /// <param name="catalog">The tenant's meters.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="indexed">Whether field names carry the event's index (the body was an array).</param>
    public static IReadOnlyList<FieldError> Refusals(IReadOnlyList<UsageEvent> events, MeterCatalog catalog, string tenantId, bool indexed)
    {
        List<FieldError>? errors = null;
        for (var i = 0; i < events.Count; i++)
        {
            var usage = events[i];
            foreach (var meter in catalog.For(tenantId, usage.Type))
            {
                if (meter.TryMeasure(usage.Data.Span, usage.Time, out _, out var error) || error is null)
                {
                    continue;
                }

                errors ??= [];
                if (errors.Count == Events.CloudEventParser.MaxErrors)
                {
                    return errors;
                }

                var field = (indexed ? $"[{i}].data" : "data") + meter.ValuePath;
                errors.Add(new FieldError(field, $"cannot be measured by meter '{meter.Definition.Slug}': {error}; fix the event or the meter."));
            }
        }

        return errors ?? (IReadOnlyList<FieldError>)[];
    }
}
