using System.Buffers;
using System.Text.Json;
using Tally.Billing.Calendar;

namespace Tally.Billing.Catalog;

/// <summary>What a plan create or replace body says (OpenMeter's <c>PlanCreate</c> / <c>PlanReplaceUpdate</c>).</summary>
public sealed record PlanBody(
    string? Key,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    Currency? Currency,
    IsoDuration BillingCadence,
    bool ProRating,
    IReadOnlyList<PlanPhase> Phases);

/// <summary>
/// OpenMeter's plan JSON, read with validation (every bad field named by its path) and phases written
/// back in the same shape: request bodies and the ledger's stored phases use this one codec.
/// </summary>
public static class PlanJson
{
    public const int MaxPhases = 20;

    /// <summary>Reads a plan body; <paramref name="create"/> also reads <c>key</c> and <c>currency</c>. Null when any field is invalid.</summary>
    public static PlanBody? ReadBody(JsonElement body, bool create, List<FieldError> errors)
    {
        var fields = new JsonFields(errors);
        if (body.ValueKind != JsonValueKind.Object)
        {
            fields.Add("body", "must be a JSON object.");
            return null;
        }

        string? key = null;
        Currency? currency = null;
        if (create)
        {
            key = fields.Text(body, "key", "", required: true, maxLength: CatalogKey.MaxLength);
            if (key is not null && !CatalogKey.IsValid(key))
            {
                fields.Add("key", $"is \"{key}\"; use {CatalogKey.Expectation}.");
            }

            var code = fields.Text(body, "currency", "", required: false, maxLength: 3) ?? "USD";
            if (!Currency.TryParse(code, out var parsed))
            {
                fields.Add("currency", $"is \"{code}\"; use {Currency.Expectation}.");
            }
            else
            {
                currency = parsed;
            }
        }

        var name = fields.Text(body, "name", "", required: true);
        var cadence = fields.Duration(body, "billingCadence", "", required: true);
        if (cadence is { } c && c != IsoDuration.Month)
        {
            fields.Add("billingCadence", $"is \"{c}\"; Tally bills by calendar month, so plans use P1M.");
        }

        var proRating = true;
        if (fields.Get(body, "proRatingConfig") is { } proRatingConfig)
        {
            proRating = fields.Bool(proRatingConfig, "enabled", "proRatingConfig") ?? true;
            var mode = fields.Text(proRatingConfig, "mode", "proRatingConfig", required: false, maxLength: 40);
            if (mode is not (null or "prorate_prices"))
            {
                fields.Add("proRatingConfig.mode", $"is \"{mode}\"; the only mode is prorate_prices.");
            }
        }

        var phases = ReadPhases(body, fields);
        var description = fields.Description(body, "");
        var metadata = fields.Metadata(body, "");
        return errors.Count > 0 ? null : new PlanBody(key, name!, description, metadata, currency, cadence!.Value, proRating, phases!);
    }

    /// <summary>Reads stored phases (as <c>WritePhases</c> writes them).</summary>
    public static IReadOnlyList<PlanPhase> ParsePhases(string json)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<FieldError>();
        var phases = ReadPhaseList(document.RootElement, "phases", new JsonFields(errors));
        return errors.Count > 0 || phases is null
            ? throw new FormatException($"Stored plan phases do not read back: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}")
            : phases;
    }

    /// <summary>The phases as a JSON array, OpenMeter's shape.</summary>
    public static string WritePhases(IReadOnlyList<PlanPhase> phases)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WritePhases(json, phases);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WritePhases(Utf8JsonWriter json, IReadOnlyList<PlanPhase> phases)
    {
        json.WriteStartArray();
        foreach (var phase in phases)
        {
            json.WriteStartObject();
            json.WriteString("key", phase.Key);
            json.WriteString("name", phase.Name);
            if (phase.Description is not null)
            {
                json.WriteString("description", phase.Description);
            }

            RateCardJson.WriteMetadata(json, phase.Metadata);
            if (phase.Duration is { } duration)
            {
                json.WriteString("duration", duration.ToString());
            }
            else
            {
                json.WriteNull("duration");
            }

            json.WriteStartArray("rateCards");
            foreach (var card in phase.RateCards)
            {
                RateCardJson.Write(json, card);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static IReadOnlyList<PlanPhase>? ReadPhases(JsonElement body, JsonFields fields)
    {
        if (fields.Get(body, "phases") is not { } phases)
        {
            fields.Add("phases", "is required: at least one phase with rate cards.");
            return null;
        }

        return ReadPhaseList(phases, "phases", fields);
    }

    private static IReadOnlyList<PlanPhase>? ReadPhaseList(JsonElement phases, string path, JsonFields fields)
    {
        if (phases.ValueKind != JsonValueKind.Array || phases.GetArrayLength() is 0 or > MaxPhases)
        {
            fields.Add(path, $"must list 1 to {MaxPhases} phases; every phase but the last has a duration.");
            return null;
        }

        var result = new List<PlanPhase>();
        var count = phases.GetArrayLength();
        var totalCards = 0;
        var index = 0;
        foreach (var phase in phases.EnumerateArray())
        {
            var at = $"{path}[{index}]";
            var key = fields.Text(phase, "key", at, required: true, maxLength: CatalogKey.MaxLength);
            if (key is not null && !CatalogKey.IsValid(key))
            {
                fields.Add(JsonFields.Path(at, "key"), $"is \"{key}\"; use {CatalogKey.Expectation}.");
            }
            else if (key is not null && result.Any(p => p.Key == key))
            {
                fields.Add(JsonFields.Path(at, "key"), $"\"{key}\" is used by an earlier phase; phase keys are unique in a plan.");
            }

            var name = fields.Text(phase, "name", at, required: true);
            var duration = fields.Duration(phase, "duration", at, required: false);
            var last = index == count - 1;
            if (last && duration is not null)
            {
                fields.Add(JsonFields.Path(at, "duration"), "must be null on the last phase, which never ends.");
            }
            else if (!last && duration is null && !fields.Has(phase, "duration"))
            {
                fields.Add(JsonFields.Path(at, "duration"), "is required on every phase but the last: an ISO 8601 duration of at least PT1H.");
            }
            else if (duration is { } d && d.Approximate < TimeSpan.FromHours(1))
            {
                fields.Add(JsonFields.Path(at, "duration"), $"is \"{d}\"; a phase lasts at least PT1H.");
            }

            var cards = new List<RateCard>();
            var cardsPath = JsonFields.Path(at, "rateCards");
            if (fields.Get(phase, "rateCards") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
            {
                fields.Add(cardsPath, "must list at least one rate card.");
            }
            else
            {
                var cardIndex = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var cardPath = $"{cardsPath}[{cardIndex++}]";
                    if (++totalCards > Limits.RateCards)
                    {
                        fields.Add(cardsPath, $"a plan has at most {Limits.RateCards} rate cards across its phases.");
                        break;
                    }

                    if (RateCardJson.Read(item, cardPath, fields) is not { } card)
                    {
                        continue;
                    }

                    if (cards.Any(c => c.Key == card.Key))
                    {
                        fields.Add(JsonFields.Path(cardPath, "key"), $"\"{card.Key}\" is used by another rate card of the phase; keys are unique in a phase.");
                        continue;
                    }

                    cards.Add(card);
                }
            }

            if (key is not null && name is not null)
            {
                result.Add(new PlanPhase(key, name, duration, cards)
                {
                    Description = fields.Description(phase, at),
                    Metadata = fields.Metadata(phase, at),
                });
            }

            index++;
        }

        return result;
    }
}
