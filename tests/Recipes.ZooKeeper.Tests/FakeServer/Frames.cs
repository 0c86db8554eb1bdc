using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Builds the server-to-client frames a scripted server sends (4-byte length prefix included).</summary>
internal static class Frames
{
    /// <summary>A Stat whose fields are all different, so a misplaced field shows up in an equality check.</summary>
    public static Stat SampleStat { get; } = new(
        Czxid: 0x101, Mzxid: 0x102, Ctime: 1_700_000_000_000, Mtime: 1_700_000_000_001, Version: 5, Cversion: 6, Aversion: 7,
        EphemeralOwner: 0x0123456789abcdef, DataLength: 3, NumChildren: 9, Pzxid: 0x103);

    /// <summary>One frame: the length prefix followed by whatever <paramref name="write"/> writes.</summary>
    public static byte[] Frame(Action<JuteWriter> write)
    {
        var writer = new JuteWriter(256);
        var start = writer.BeginFrame();
        write(writer);
        writer.EndFrame(start);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] ConnectResponse(int timeoutMs, long sessionId, byte[] password, bool readOnly = false) =>
        Frame(w => new ConnectResponse(0, timeoutMs, sessionId, password, readOnly).Write(w));

    /// <summary>A reply: header, then the body only when <paramref name="err"/> is Ok (as the server does).</summary>
    public static byte[] Reply(int xid, long zxid = 0x10, ErrorCode err = ErrorCode.Ok, Action<JuteWriter>? body = null) =>
        Frame(w =>
        {
            new ReplyHeader(xid, zxid, err).Write(w);
            if (err == ErrorCode.Ok)
            {
                body?.Invoke(w);
            }
        });

    /// <summary>A getData reply body: data, then stat.</summary>
    public static Action<JuteWriter> DataBody(byte[]? data, Stat? stat = null) => w =>
    {
        w.WriteBuffer(data);
        w.WriteStat(stat ?? SampleStat);
    };

    /// <summary>An exists / setData reply body: a stat.</summary>
    public static Action<JuteWriter> StatBody(Stat? stat = null) => w => w.WriteStat(stat ?? SampleStat);

    /// <summary>A notification (xid -1, zxid -1 as a 3.8 server sends it).</summary>
    public static byte[] Notification(EventType type, string serverPath, KeeperState state = KeeperState.SyncConnected) =>
        Frame(w =>
        {
            new ReplyHeader(Xids.Notification, -1, ErrorCode.Ok).Write(w);
            new WatcherEvent(type, state, serverPath).Write(w);
        });

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
