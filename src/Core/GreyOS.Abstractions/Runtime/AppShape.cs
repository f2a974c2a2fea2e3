namespace GreyOS.Abstractions.Runtime;

/// <summary>The two shapes of a WebAssembly app.</summary>
public enum AppShape
{
    /// <summary>Exports <c>_start</c> (WASI command): runs to exit.</summary>
    Command,

    /// <summary>Exports <c>grey_on_event</c>: called once per event; idle between events.</summary>
    Service,
}
