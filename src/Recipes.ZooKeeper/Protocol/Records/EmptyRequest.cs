namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>Requests without a body: ping, closeSession, whoAmI.</summary>
internal sealed class EmptyRequest : IRequestRecord
{
    public static EmptyRequest Instance { get; } = new();

    private EmptyRequest()
    {
    }

    public void Write(JuteWriter writer)
    {
    }
}
