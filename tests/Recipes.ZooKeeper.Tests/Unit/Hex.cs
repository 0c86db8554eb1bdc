using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>Hex helpers: expected wire bytes are written as spaced hex, as in the protocol reference.</summary>
internal static class Hex
{
    public static byte[] Bytes(string spacedHex) => Convert.FromHexString(spacedHex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Normalizes spaced hex to the upper-case form <see cref="Convert.ToHexString(byte[])"/> produces.</summary>
    public static string Of(string spacedHex) => Convert.ToHexString(Bytes(spacedHex));

    public static string Of(byte[] bytes) => Convert.ToHexString(bytes);

    /// <summary>The bytes a record writes.</summary>
    public static byte[] Written(IRequestRecord record) => Written(record.Write);

    public static byte[] Written(Action<JuteWriter> write)
    {
        var writer = new JuteWriter(16);
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A ustring in hex: length, then the UTF-8 bytes.</summary>
    public static string Str(string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        return $"{bytes.Length:x8} {Convert.ToHexString(bytes)}";
    }
}
