namespace Recipes.Leader;

/// <summary>One participant of an election, as read from ZooKeeper.</summary>
/// <param name="Id">The participant id: its node's data as UTF-8 ("" when empty).</param>
/// <param name="IsLeader">Whether its node is first in line.</param>
/// <param name="NodeName">The participant node's name, e.g. <c>_c_…-latch-0000000003</c>.</param>
public sealed record Participant(string Id, bool IsLeader, string NodeName);
