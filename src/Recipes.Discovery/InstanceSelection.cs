namespace Recipes.Discovery;

/// <summary>The built-in ways a <see cref="ServiceInstanceProvider"/> picks an instance.</summary>
public enum InstanceSelection
{
    /// <summary>Each call takes the next instance, in node-name order (Curator's default <c>RoundRobinStrategy</c>).</summary>
    RoundRobin = 0,

    /// <summary>A uniformly random instance per call (<c>RandomStrategy</c>).</summary>
    Random = 1,

    /// <summary>The same instance while it is live and up, else the next in round-robin order (<c>StickyStrategy</c> over round-robin).</summary>
    Sticky = 2,
}
