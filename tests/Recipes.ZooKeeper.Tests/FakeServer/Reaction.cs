namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>What the scripted server does in answer to one request.</summary>
internal abstract record Reaction
{
    /// <summary>Do nothing: the request never gets a reply.</summary>
    public static Reaction Silent { get; } = new SilentReaction();

    /// <summary>Close the TCP connection at once.</summary>
    public static Reaction Close { get; } = new CloseReaction();

    /// <summary>Write <paramref name="bytes"/> in one write.</summary>
    public static Reaction Answer(byte[] bytes) => new AnswerReaction(bytes, bytes.Length, TimeSpan.Zero);

    /// <summary>Write <paramref name="bytes"/> in pieces of <paramref name="chunkSize"/> bytes, pausing between them.</summary>
    public static Reaction Torn(byte[] bytes, int chunkSize = 1, TimeSpan? pause = null) =>
        new AnswerReaction(bytes, chunkSize, pause ?? TimeSpan.FromMilliseconds(1));

    /// <summary>Write bytes that are not a ZooKeeper frame (the default reads as an absurd frame length).</summary>
    public static Reaction Garbage(byte[]? bytes = null) =>
        new AnswerReaction(bytes ?? "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), int.MaxValue, TimeSpan.Zero);

    /// <summary>Write the first <paramref name="count"/> bytes of <paramref name="bytes"/>, then close.</summary>
    public static Reaction CloseAfter(byte[] bytes, int count) => new CloseAfterReaction(bytes[..count]);

    internal sealed record SilentReaction : Reaction;

    internal sealed record CloseReaction : Reaction;

    internal sealed record AnswerReaction(byte[] Bytes, int ChunkSize, TimeSpan Pause) : Reaction;

    internal sealed record CloseAfterReaction(byte[] Bytes) : Reaction;
}
