namespace Recipes.Discovery.Internal;

/// <summary>One instance this process registered: keeps its node in place and ends it.</summary>
internal interface IRegistration
{
    /// <summary>The instance as last registered or updated.</summary>
    ServiceInstance Instance { get; }

    /// <summary>The node's actual path (with the sequence for sequential instances); null until created.</summary>
    string? NodePath { get; }

    /// <summary>Creates the node and waits until it exists.</summary>
    Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Replaces the instance's data; kept for every later re-creation.</summary>
    Task UpdateAsync(ServiceInstance instance, CancellationToken cancellationToken);

    /// <summary>Ends the registration: deletes the node (in the background if it cannot now).</summary>
    Task UnregisterAsync(CancellationToken cancellationToken);

    /// <summary>Ends the registration as the discovery closes: deletes the node unless it is <see cref="ServiceType.Permanent"/>.</summary>
    ValueTask CloseAsync();
}
