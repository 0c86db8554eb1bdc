namespace Recipes.Cli.Infrastructure;

/// <summary>Why a child run by <c>lock</c> or <c>elect</c> ended.</summary>
internal enum ChildEnd
{
    /// <summary>It exited by itself.</summary>
    Exited,

    /// <summary>The lock or leadership was lost; it was stopped.</summary>
    OwnershipLost,

    /// <summary>Ctrl-C or SIGTERM; it was stopped.</summary>
    Interrupted,
}
