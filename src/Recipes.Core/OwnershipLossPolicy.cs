namespace Recipes.Core;

/// <summary>
/// Decides when a suspended connection means ownership (locks, leadership) must be given up.
/// </summary>
/// <remarks>
/// The server may expire a session once it has heard nothing from the client for the session timeout. The last
/// moment the server is known to have heard the client is the send time of the latest request it answered
/// (<see cref="Recipes.ZooKeeper.IZooKeeperClient.LastServerContactTimestamp"/>). Ownership is therefore given up at
/// that moment plus <see cref="GraceFraction"/> × the negotiated session timeout, which is always before the
/// server can expire the session; <see cref="ConnectionState.Lost"/> always ends ownership. A session closed on the
/// server by someone else ends instantly and no client can see that in time: fencing tokens cover that case.
/// </remarks>
public sealed class OwnershipLossPolicy
{
    /// <summary>The default policy: keep ownership through blips shorter than half the session timeout.</summary>
    public static OwnershipLossPolicy Default { get; } = new() { GraceFraction = 0.5 };

    /// <summary>Curator's standard policy: <see cref="ConnectionState.Suspended"/> itself ends ownership.</summary>
    public static OwnershipLossPolicy SuspendedIsLoss { get; } = new() { GraceFraction = 0 };

    /// <summary>
    /// The fraction of the session timeout, counted from the last server contact, after which a suspended
    /// connection ends ownership. 0 means at once; must be below 1. Default 0.5.
    /// </summary>
    public double GraceFraction { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> when the policy could give up ownership too late.</summary>
    public void Validate()
    {
        if (double.IsNaN(GraceFraction) || GraceFraction < 0 || GraceFraction >= 1)
        {
            throw new ArgumentException(
                $"OwnershipLossPolicy.GraceFraction must be at least 0 and below 1 (ownership must end before the server can expire the session); it is {GraceFraction}.",
                nameof(GraceFraction));
        }
    }

    /// <summary>How long after the last server contact ownership ends, for a session timeout.</summary>
    public TimeSpan GraceFor(TimeSpan sessionTimeout) => sessionTimeout * GraceFraction;
}
