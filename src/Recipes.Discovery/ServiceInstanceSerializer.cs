using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recipes.Discovery;

/// <summary>
/// Reads and writes <see cref="ServiceInstance"/> JSON exactly as Curator's <c>JsonInstanceSerializer</c> in its default
/// (compatible) mode, so Java services using curator-x-discovery and .NET services see each other.
/// </summary>
/// <remarks>
/// <para>
/// Written: <c>{"name":..,"id":..,"address":..,"port":..,"sslPort":..,"payload":..,"registrationTimeUTC":..,
/// "serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":..,"variable":..}]}}</c>, in that order, with nulls written as
/// <c>null</c>; <c>"enabled":false</c> is appended only for a disabled instance (Curator's compatible mode omits the field,
/// and reads its absence as true). A <see cref="ServiceInstance.Payload"/> map is written as
/// <c>{"@class":"java.util.HashMap","key":"value",...}</c>, the form Jackson reads into a Java <c>Map</c>.
/// </para>
/// <para>
/// Read: unknown fields are ignored; <c>name</c> and <c>id</c> are required; <c>serviceType</c> is matched ignoring case;
/// a missing <c>registrationTimeUTC</c> reads as the epoch, a missing <c>enabled</c> as true. Anything else malformed
/// fails with a <see cref="FormatException"/> naming the field.
/// </para>
/// </remarks>
public static class ServiceInstanceSerializer
{
    /// <summary>The Jackson type id written into a map payload so Java reads it as a map.</summary>
    public const string JavaMapClass = "java.util.HashMap";

    private const string TypeProperty = "@class";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>The JSON text of <paramref name="instance"/>, as UTF-8 bytes.</summary>
    /// <param name="instance">The instance.</param>
    /// <exception cref="ArgumentException">The name or id is empty, or the raw payload is not valid JSON.</exception>
    public static byte[] Serialize(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (string.IsNullOrEmpty(instance.Name) || string.IsNullOrEmpty(instance.Id))
        {
            throw new ArgumentException($"A service instance needs a name and an id (name '{instance.Name}', id '{instance.Id}').", nameof(instance));
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("name", instance.Name);
            writer.WriteString("id", instance.Id);
            WriteNullableString(writer, "address", instance.Address);
            WriteNullableInt(writer, "port", instance.Port);
            WriteNullableInt(writer, "sslPort", instance.SslPort);
            writer.WritePropertyName("payload");
            WritePayload(writer, instance);
            writer.WriteNumber("registrationTimeUTC", instance.RegistrationTimeUtc.ToUnixTimeMilliseconds());
            writer.WriteString("serviceType", TypeName(instance.ServiceType));
            writer.WritePropertyName("uriSpec");
            if (instance.UriSpec is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteStartArray("parts");
                foreach (var part in instance.UriSpec.Parts)
                {
                    writer.WriteStartObject();
                    writer.WriteString("value", part.Value);
                    writer.WriteBoolean("variable", part.Variable);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            if (!instance.Enabled)
            {
                writer.WriteBoolean("enabled", false);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an instance.</summary>
    /// <param name="json">The UTF-8 JSON (a znode's data).</param>
    /// <exception cref="FormatException">The data is not a service instance; the message names the problem.</exception>
    public static ServiceInstance Deserialize(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw new FormatException("The data is empty, not a service instance's JSON.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), ReaderOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The data is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <summary>Reads an instance, or says why not.</summary>
    /// <param name="json">The UTF-8 JSON.</param>
    /// <param name="instance">The instance, when readable.</param>
    /// <param name="error">Why not, otherwise.</param>
    public static bool TryDeserialize(ReadOnlySpan<byte> json, [NotNullWhen(true)] out ServiceInstance? instance, [NotNullWhen(false)] out string? error)
    {
        try
        {
            instance = Deserialize(json);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            instance = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The JSON (Java enum) name of a service type, e.g. <c>DYNAMIC_SEQUENTIAL</c>.</summary>
    internal static string TypeName(ServiceType type) => type switch
    {
        ServiceType.Dynamic => "DYNAMIC",
        ServiceType.Static => "STATIC",
        ServiceType.Permanent => "PERMANENT",
        ServiceType.DynamicSequential => "DYNAMIC_SEQUENTIAL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown service type."),
    };

    private static ServiceType ParseType(string? name) => name?.ToUpperInvariant() switch
    {
        null => ServiceType.Dynamic,
        "DYNAMIC" => ServiceType.Dynamic,
        "STATIC" => ServiceType.Static,
        "PERMANENT" => ServiceType.Permanent,
        "DYNAMIC_SEQUENTIAL" => ServiceType.DynamicSequential,
        _ => throw new FormatException($"'serviceType' is '{name}', not one of DYNAMIC, STATIC, PERMANENT, DYNAMIC_SEQUENTIAL."),
    };

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullableInt(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WritePayload(Utf8JsonWriter writer, ServiceInstance instance)
    {
        if (instance.Payload is { } payload)
        {
            writer.WriteStartObject();
            writer.WriteString(TypeProperty, JavaMapClass);
            foreach (var (key, value) in payload)
            {
                if (key == TypeProperty)
                {
                    throw new ArgumentException($"A payload key may not be '{TypeProperty}' (Jackson's type id).", nameof(instance));
                }

                WriteNullableString(writer, key, value);
            }

            writer.WriteEndObject();
        }
        else if (instance.RawPayload is { } raw)
        {
            try
            {
                writer.WriteRawValue(raw);
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"The raw payload is not valid JSON: {e.Message}", nameof(instance), e);
            }
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static ServiceInstance Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A service instance is a JSON object, not {root.ValueKind}.");
        }

        string? name = null;
        string? id = null;
        string? address = null;
        int? port = null;
        int? sslPort = null;
        IReadOnlyDictionary<string, string>? payload = null;
        string? rawPayload = null;
        long registered = 0;
        string? type = null;
        UriSpec? uriSpec = null;
        var enabled = true;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name":
                    name = ReadString(value, "name");
                    break;
                case "id":
                    id = ReadString(value, "id");
                    break;
                case "address":
                    address = ReadString(value, "address");
                    break;
                case "port":
                    port = ReadInt(value, "port");
                    break;
                case "sslPort":
                    sslPort = ReadInt(value, "sslPort");
                    break;
                case "payload":
                    (payload, rawPayload) = ReadPayload(value);
                    break;
                case "registrationTimeUTC":
                    registered = value.ValueKind switch
                    {
                        JsonValueKind.Null => 0,
                        JsonValueKind.Number when value.TryGetInt64(out var ms) && ms >= -62135596800000 && ms <= 253402300799999 => ms,
                        _ => throw new FormatException($"'registrationTimeUTC' must be epoch milliseconds, not {value.GetRawText()}."),
                    };
                    break;
                case "serviceType":
                    type = ReadString(value, "serviceType");
                    break;
                case "uriSpec":
                    uriSpec = ReadUriSpec(value);
                    break;
                case "enabled":
                    enabled = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => true,
                        _ => throw new FormatException($"'enabled' must be true or false, not {value.GetRawText()}."),
                    };
                    break;
                default:
                    // Unknown fields are ignored, as Curator's FAIL_ON_UNKNOWN_PROPERTIES=false.
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new FormatException("The service instance has no 'name'.");
        }

        if (string.IsNullOrEmpty(id))
        {
            throw new FormatException("The service instance has no 'id'.");
        }

        return new ServiceInstance
        {
            Name = name,
            Id = id,
            Address = address,
            Port = port,
            SslPort = sslPort,
            Payload = payload,
            RawPayload = rawPayload,
            RegistrationTimeUtc = DateTimeOffset.FromUnixTimeMilliseconds(registered),
            ServiceType = ParseType(type),
            UriSpec = uriSpec,
            Enabled = enabled,
        };
    }

    private static string? ReadString(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => throw new FormatException($"'{field}' must be a string, not {value.GetRawText()}."),
    };

    private static int? ReadInt(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt32(out var n) => n,
        _ => throw new FormatException($"'{field}' must be an integer or null, not {value.GetRawText()}."),
    };

    private static (IReadOnlyDictionary<string, string>? Map, string? Raw) ReadPayload(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var raw = value.GetRawText();
        if (value.ValueKind != JsonValueKind.Object)
        {
            return (null, raw);
        }

        var map = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Name == TypeProperty)
            {
                continue;
            }

            map[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString()!,
                _ => entry.Value.GetRawText(),
            };
        }

        return (map, raw);
    }

    private static UriSpec? ReadUriSpec(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"'uriSpec' must be an object with 'parts', not {value.GetRawText()}.");
        }

        var parts = new List<UriSpecPart>();
        if (value.TryGetProperty("parts", out var array) && array.ValueKind != JsonValueKind.Null)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"'uriSpec.parts' must be an array, not {array.GetRawText()}.");
            }

            foreach (var part in array.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object
                    || !part.TryGetProperty("value", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException($"A 'uriSpec' part must be {{\"value\":string,\"variable\":bool}}, not {part.GetRawText()}.");
                }

                var variable = part.TryGetProperty("variable", out var flag) && flag.ValueKind == JsonValueKind.True;
                parts.Add(new UriSpecPart(text.GetString()!, variable));
            }
        }

        return new UriSpec(parts);
    }
}
