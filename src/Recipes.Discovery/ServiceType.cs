namespace Recipes.Discovery;

/// <summary>
/// How a service instance is stored, as Curator's <c>ServiceType</c> (written upper case in the JSON, e.g. <c>"DYNAMIC"</c>).
/// </summary>
public enum ServiceType
{
    /// <summary>
    /// An ephemeral node <c>&lt;base&gt;/&lt;name&gt;/&lt;id&gt;</c>: it lives as long as the registering session, and is
    /// re-created (with the latest data) after session loss for as long as the registration lasts.
    /// </summary>
    Dynamic = 0,

    /// <summary>A persistent node, deleted when the registration ends (unregister or disposal of the discovery).</summary>
    Static = 1,

    /// <summary>A persistent node that outlives the process: only an explicit unregister deletes it, never disposal.</summary>
    Permanent = 2,

    /// <summary>
    /// An ephemeral sequential node <c>&lt;base&gt;/&lt;name&gt;/&lt;id&gt;&lt;10-digit sequence&gt;</c> (the JSON <c>id</c>
    /// stays unsuffixed, as Curator writes it); kept like <see cref="Dynamic"/>, never duplicated.
    /// </summary>
    DynamicSequential = 3,
}
