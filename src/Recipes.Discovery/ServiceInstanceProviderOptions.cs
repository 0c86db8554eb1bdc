namespace Recipes.Discovery;

/// <summary>Settings of a <see cref="ServiceInstanceProvider"/>.</summary>
public sealed class ServiceInstanceProviderOptions
{
    /// <summary>How instances are picked. Default <see cref="InstanceSelection.RoundRobin"/> (Curator's default).</summary>
    public InstanceSelection Selection { get; set; } = InstanceSelection.RoundRobin;

    /// <summary>A custom strategy factory (one strategy per provider); when set it overrides <see cref="Selection"/>.</summary>
    public Func<IInstanceSelectionStrategy>? StrategyFactory { get; set; }

    /// <summary>When an instance that failed counts as down.</summary>
    public DownInstancePolicy DownInstancePolicy { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Selection))
        {
            throw new ArgumentException($"ServiceInstanceProviderOptions.Selection {Selection} is not defined.", nameof(Selection));
        }

        if (DownInstancePolicy is null)
        {
            throw new ArgumentException("ServiceInstanceProviderOptions.DownInstancePolicy must not be null.", nameof(DownInstancePolicy));
        }

        DownInstancePolicy.Validate();
    }

    internal IInstanceSelectionStrategy CreateStrategy() => StrategyFactory?.Invoke() ?? Selection switch
    {
        InstanceSelection.Random => new RandomStrategy(),
        InstanceSelection.Sticky => new StickyStrategy(),
        _ => new RoundRobinStrategy(),
    };

    internal ServiceInstanceProviderOptions Clone() =>
        new() { Selection = Selection, StrategyFactory = StrategyFactory, DownInstancePolicy = DownInstancePolicy.Clone() };
}
