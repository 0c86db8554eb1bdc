namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>A request record: the body that follows the request header.</summary>
internal interface IRequestRecord
{
    void Write(JuteWriter writer);
}
