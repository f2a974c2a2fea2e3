using Spectre.Console;

namespace GreyOS.Cli;

/// <summary>
/// Everything the CLI touches outside itself: standard streams, environment variables, whether a
/// person is at the keyboard. <see cref="FromConsole"/> is the real process; tests pass writers.
/// </summary>
public sealed class CliIO
{
    /// <summary>Standard output: results (human text or <c>--json</c>).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: one-line errors and interactive prompts.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input (read by <c>--password-stdin</c>).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>
    /// Opens standard input as bytes (what <c>greyos run</c> copies to the app when
    /// <see cref="IsInputRedirected"/>); null: none. Called at most once per command.
    /// </summary>
    public Func<Stream>? OpenStandardInput { get; init; }

    /// <summary>
    /// Opens standard output as bytes, for an app's output written byte-exactly (<c>run</c>, <c>logs</c>);
    /// null: such bytes are decoded as UTF-8 and written to <see cref="Out"/>.
    /// </summary>
    public Func<Stream>? OpenStandardOutput { get; init; }

    /// <summary>Opens standard error as bytes (like <see cref="OpenStandardOutput"/>, for <see cref="Error"/>).</summary>
    public Func<Stream>? OpenStandardError { get; init; }

    /// <summary>True when standard input is a file or a pipe, not a terminal: <c>greyos run</c> then copies it to the app.</summary>
    public bool IsInputRedirected { get; init; }

    /// <summary>Environment variable lookup (<c>GREYOS_NODE</c>, <c>GREYOS_CONFIG_DIR</c>, <c>XDG_CONFIG_HOME</c>, <c>HOME</c>).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = static _ => null;

    /// <summary>True when a person can answer prompts (stdin and stderr are a terminal).</summary>
    public bool IsInteractive { get; init; }

    /// <summary>
    /// True: detect colours, ANSI and width from the real console. False: plain text, no colours,
    /// long lines not wrapped (the right thing for files, pipes and tests).
    /// </summary>
    public bool DetectTerminal { get; init; }

    /// <summary>Where interactive prompts read keys; null reads the system console.</summary>
    public IAnsiConsoleInput? KeyInput { get; init; }

    /// <summary>The process's console, environment and terminal.</summary>
    public static CliIO FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        OpenStandardInput = Console.OpenStandardInput,
        OpenStandardOutput = Console.OpenStandardOutput,
        OpenStandardError = Console.OpenStandardError,
        IsInputRedirected = Console.IsInputRedirected,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        IsInteractive = !Console.IsInputRedirected && !Console.IsErrorRedirected,
        DetectTerminal = true,
    };
}
