using System.Buffers;
using System.Text.Json;
using Tally.Ingest.Grpc.V1;

namespace Tally.Ingest.Grpc;

/// <summary>
/// Writes a protobuf batch as the CloudEvents JSON batch it stands for, so gRPC goes through the very
/// parser, checks and normalization HTTP does: attributes by name, extension values as JSON scalars,
/// <c>text_data</c> as the JSON <c>data</c> (unparsed here; the parser refuses it if it is not JSON),
/// <c>binary_data</c> and <c>proto_data</c> as the <c>data_base64</c> Tally refuses.
/// </summary>
internal static class ProtoEvents
{
    public static ReadOnlyMemory<byte> ToJson(CloudEventBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * Math.Max(1, batch.Events.Count));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartArray();
            foreach (var cloudEvent in batch.Events)
            {
                Write(writer, cloudEvent);
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenMemory;
    }

    private static void Write(Utf8JsonWriter writer, CloudEvent cloudEvent)
    {
        writer.WriteStartObject();
        WriteRequired(writer, "specversion", cloudEvent.SpecVersion);
        WriteRequired(writer, "id", cloudEvent.Id);
        WriteRequired(writer, "source", cloudEvent.Source);
        WriteRequired(writer, "type", cloudEvent.Type);
        foreach (var (name, value) in cloudEvent.Attributes)
        {
            writer.WritePropertyName(name);
            switch (value.AttrCase)
            {
                case CloudEventAttributeValue.AttrOneofCase.CeBoolean: writer.WriteBooleanValue(value.CeBoolean); break;
                case CloudEventAttributeValue.AttrOneofCase.CeInteger: writer.WriteNumberValue(value.CeInteger); break;
                case CloudEventAttributeValue.AttrOneofCase.CeBytes: writer.WriteBase64StringValue(value.CeBytes.Span); break;
                case CloudEventAttributeValue.AttrOneofCase.CeUri: writer.WriteStringValue(value.CeUri); break;
                case CloudEventAttributeValue.AttrOneofCase.CeUriRef: writer.WriteStringValue(value.CeUriRef); break;
                case CloudEventAttributeValue.AttrOneofCase.CeTimestamp: writer.WriteStringValue(value.CeTimestamp.ToDateTime()); break;
                case CloudEventAttributeValue.AttrOneofCase.CeString: writer.WriteStringValue(value.CeString); break;
                default: writer.WriteNullValue(); break;
            }
        }

        switch (cloudEvent.DataCase)
        {
            case CloudEvent.DataOneofCase.TextData:
                writer.WritePropertyName("data");
                writer.WriteRawValue(cloudEvent.TextData, skipInputValidation: true);
                break;
            case CloudEvent.DataOneofCase.BinaryData:
            case CloudEvent.DataOneofCase.ProtoData:
                writer.WriteString("data_base64", "");
                break;
        }

        writer.WriteEndObject();
    }

    // proto3 strings have no "absent": empty means not sent, which the parser reports as required.
    private static void WriteRequired(Utf8JsonWriter writer, string name, string value)
    {
        if (value.Length > 0)
        {
            writer.WriteString(name, value);
        }
    }
}
