using System.Net.Http.Headers;
using System.Reflection;
using GreyOS.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GreyOS.Cli;

/// <summary>What one command invocation works with: the node, its client, the consoles, the credential store.</summary>
internal sealed class CommandContext : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private CredentialStore? _store;

    public CommandContext(CliIO io, NodeAddress node)
    {
        ArgumentNullException.ThrowIfNull(io);
        IO = io;
        Node = node;
        Console = CreateConsole(io, io.Out, interactive: false);
        Prompts = CreateConsole(io, io.Error, io.IsInteractive);
        // The client times each request (long polls and uploads get longer than RequestTimeout).
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = node.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("greyos-cli", Version));
        Client = new GreyOSClient(_http) { RequestTimeout = RequestTimeout };
    }

    /// <summary>The CLI's version (SemVer, without build metadata).</summary>
    public static string Version { get; } =
        typeof(CommandContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public CliIO IO { get; }

    public NodeAddress Node { get; }

    public GreyOSClient Client { get; }

    /// <summary>Results, on standard output.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Prompts, on standard error (so standard output stays clean for results).</summary>
    public IAnsiConsole Prompts { get; }

    public CredentialStore Store => _store ??= new CredentialStore(CredentialStore.ResolveDirectory(IO.GetEnvironmentVariable));

    /// <summary>True once <see cref="UseStoredSessionAsync"/> put the stored token on the client (a 401 then means it expired).</summary>
    public bool UsesStoredSession { get; private set; }

    /// <summary>Sends the stored session token for this node with every request; not logged in is a failure.</summary>
    public async Task UseStoredSessionAsync(CancellationToken cancellationToken)
    {
        var stored = await Store.GetAsync(Node, cancellationToken).ConfigureAwait(false)
            ?? throw CliException.Failure($"not logged in to {Node.Key} (run 'greyos login{NodeFlag}')");
        Client.SessionToken = stored.Token;
        UsesStoredSession = true;
    }

    /// <summary><c>--node URL</c> when the node is not the default, for hints that repeat a command.</summary>
    public string NodeFlag => Node.IsDefault ? string.Empty : $" --node {Node.Key}";

    /// <summary>Reads one secret line from standard input (<c>--password-stdin</c>).</summary>
    public async Task<string> ReadPasswordFromStdinAsync(CancellationToken cancellationToken)
    {
        var line = await IO.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(line)
            ? throw CliException.Usage("--password-stdin: standard input has no password (write it as the first line)")
            : line;
    }

    /// <summary>Asks for a secret (masked) at the terminal.</summary>
    public Task<string> AskSecretAsync(string prompt, CancellationToken cancellationToken) =>
        new TextPrompt<string>(prompt).Secret().ShowAsync(Prompts, cancellationToken);

    /// <summary>Asks for a plain value at the terminal.</summary>
    public Task<string> AskAsync(string prompt, CancellationToken cancellationToken) =>
        new TextPrompt<string>(prompt).ShowAsync(Prompts, cancellationToken);

    /// <summary>Writes aligned key/value rows (values are plain text, never markup; no trailing blanks).</summary>
    public void WriteFacts(IReadOnlyList<(string Name, string Value)> rows)
    {
        var width = rows.Max(row => row.Name.Length) + 2;
        foreach (var (name, value) in rows)
        {
            Console.Write(new Text(name, new Style(decoration: Decoration.Bold)));
            Console.Write(new Text(new string(' ', width - name.Length) + value + Environment.NewLine));
        }
    }

    public void WriteLine(string text) => Console.Write(new Text(text + Environment.NewLine));

    public void Dispose() => _http.Dispose();

    private static IAnsiConsole CreateConsole(CliIO io, TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = io.DetectTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = io.DetectTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = io.DetectTerminal },
        });
        if (!console.Profile.Out.IsTerminal)
        {
            // Files, pipes and tests: never wrap a long line (a DID or URL must stay whole).
            console.Profile.Width = 1000;
        }

        return io.KeyInput is null ? console : new ConsoleWithInput(console, io.KeyInput);
    }

    /// <summary>A console whose keys come from elsewhere (a test's script).</summary>
    private sealed class ConsoleWithInput(IAnsiConsole inner, IAnsiConsoleInput input) : IAnsiConsole
    {
        public Profile Profile => inner.Profile;

        public IAnsiConsoleCursor Cursor => inner.Cursor;

        public IAnsiConsoleInput Input => input;

        public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

        public RenderPipeline Pipeline => inner.Pipeline;

        public void Clear(bool home) => inner.Clear(home);

        public void Write(IRenderable renderable) => inner.Write(renderable);

        public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);
    }
}
