using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using GreyOS.Client;
using Spectre.Console;

namespace GreyOS.Cli.Tests;

/// <summary>What one <c>greyos</c> run produced.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>What an app wrote to standard output through the raw stream (only <see cref="Cli.RunRawAsync"/>).</summary>
    public byte[] OutBytes { get; init; } = [];

    /// <summary>What an app wrote to standard error through the raw stream (only <see cref="Cli.RunRawAsync"/>).</summary>
    public byte[] ErrorBytes { get; init; } = [];

    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs <c>greyos</c> in this process over string writers, with an environment of its own (the
/// process environment never leaks in) and a temp config folder for the credential store.
/// </summary>
public sealed class Cli : IDisposable
{
    private readonly Testing.TempDirectory _config = new("greyos-cli-config");

    public Cli(Uri? node = null)
    {
        Node = node;
        Environment["GREYOS_CONFIG_DIR"] = ConfigDirectory;
    }

    /// <summary>The node passed as <c>--node</c> (null: none).</summary>
    public Uri? Node { get; }

    public string ConfigDirectory => Path.Combine(_config.Path, "greyos");

    public string CredentialsPath => Path.Combine(ConfigDirectory, "credentials.json");

    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The credential file's entry for <paramref name="node"/> (a clone; null when there is none).</summary>
    public JsonElement? StoredEntry(Uri node)
    {
        if (!File.Exists(CredentialsPath))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(CredentialsPath));
        return document.RootElement.GetProperty("nodes").TryGetProperty(node.ToString().TrimEnd('/'), out var entry) ? entry.Clone() : null;
    }

    /// <summary>The device key the CLI stored for <paramref name="node"/>, bound to the stored session and device.</summary>
    public DeviceCredential StoredCredential(Uri node)
    {
        var entry = StoredEntry(node) ?? throw new InvalidOperationException($"nothing stored for {node}");
        return DeviceCredential.FromSeed(
            Base64Url.DecodeFromChars(entry.GetProperty("privateKey").GetString()),
            entry.GetProperty("sessionId").GetString(),
            entry.GetProperty("deviceId").GetString());
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    /// <summary>
    /// Runs with <paramref name="stdin"/> as standard input (null: a terminal with nothing typed). An
    /// app's output bytes are decoded into <see cref="CliResult.Out"/> and <see cref="CliResult.Error"/>.
    /// </summary>
    public Task<CliResult> RunAsync(string[] args, string? stdin, IAnsiConsoleInput? keys = null, CancellationToken? cancellationToken = null) =>
        RunCoreAsync(args, stdin, stdin is null ? null : Encoding.UTF8.GetBytes(stdin), keys, raw: false, cancellationToken ?? TestContext.Current.CancellationToken);

    /// <summary>
    /// Runs with raw standard streams, as the real console has: an app's output lands byte-exactly in
    /// <see cref="CliResult.OutBytes"/> and <see cref="CliResult.ErrorBytes"/> (the CLI's own text still in Out/Error).
    /// </summary>
    public Task<CliResult> RunRawAsync(string[] args, byte[]? stdin = null) =>
        RunCoreAsync(args, stdin: null, stdin, keys: null, raw: true, TestContext.Current.CancellationToken);

    private async Task<CliResult> RunCoreAsync(string[] args, string? stdin, byte[]? stdinBytes, IAnsiConsoleInput? keys, bool raw, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? string.Empty);
        using var rawOut = new MemoryStream();
        using var rawError = new MemoryStream();
        var io = new CliIO
        {
            Out = output,
            Error = error,
            In = input,
            OpenStandardInput = stdinBytes is null ? null : () => new MemoryStream(stdinBytes, writable: false),
            IsInputRedirected = stdinBytes is not null,
            OpenStandardOutput = raw ? () => rawOut : null,
            OpenStandardError = raw ? () => rawError : null,
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            IsInteractive = keys is not null,
            KeyInput = keys,
        };
        string[] all = Node is null ? args : ["--node", Node.ToString(), .. args];
        var exitCode = await CliApp.RunAsync(all, io, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString()) { OutBytes = rawOut.ToArray(), ErrorBytes = rawError.ToArray() };
    }

    public void Dispose() => _config.Dispose();
}

/// <summary>Keys typed at a "terminal" for interactive prompts; each line ends with Enter.</summary>
public sealed class ScriptedKeys(params string[] lines) : IAnsiConsoleInput
{
    private readonly Queue<ConsoleKeyInfo> _keys = new(lines.SelectMany(line =>
        line.Select(c => new ConsoleKeyInfo(c, ConsoleKey.A, shift: false, alt: false, control: false))
            .Append(new ConsoleKeyInfo('\r', ConsoleKey.Enter, shift: false, alt: false, control: false))));

    public bool IsKeyAvailable() => _keys.Count > 0;

    public ConsoleKeyInfo? ReadKey(bool intercept) =>
        _keys.TryDequeue(out var key) ? key : throw new InvalidOperationException("the test typed no more keys");

    public Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken) => Task.FromResult(ReadKey(intercept));
}
