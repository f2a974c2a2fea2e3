using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using GreyOS.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GreyOS.Cli;

/// <summary>What one command invocation works with: the node, its client, the consoles, the credential store.</summary>
internal sealed class CommandContext : IDisposable
{
    /// <summary>The node's code for an action that needs a recent credential proof.</summary>
    public const string StepUpRequiredCode = "step_up_required";

    private const int NewPasswordAttempts = 3;
    private const int MaxDeviceNameLength = 64;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private CredentialStore? _store;
    private int _stdinPasswords;

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

    /// <summary>True once <see cref="UseStoredSessionAsync"/> set the stored key on the client (a 401 then means the session expired or was revoked).</summary>
    public bool UsesStoredSession { get; private set; }

    /// <summary>The stored key and session in use (set by <see cref="UseStoredSessionAsync"/>).</summary>
    public StoredSession? Stored { get; private set; }

    /// <summary>
    /// True when the command was given <c>--password-stdin</c>: a password it needs (its own, or
    /// your current one for a fresh proof, see <see cref="WithFreshProofAsync{T}"/>) is read from
    /// the next line of standard input instead of being asked for.
    /// </summary>
    public bool PasswordFromStdin { get; set; }

    /// <summary>Signs every request with the stored device key of this node; not logged in is a failure.</summary>
    public async Task UseStoredSessionAsync(CancellationToken cancellationToken)
    {
        var lookup = await Store.LookupAsync(Node, cancellationToken).ConfigureAwait(false);
        if (lookup.Session is not { HasSession: true } stored)
        {
            throw NotLoggedIn(lookup);
        }

        Client.Credential = stored.ToCredential();
        Stored = stored;
        UsesStoredSession = true;
    }

    /// <summary>The one-line "not logged in" failure, with the right hint (log in, log in with the kept key, or log in again after an upgrade).</summary>
    public CliException NotLoggedIn(StoredLookup lookup) => lookup switch
    {
        { Session: { HasSession: false } kept } => CliException.Failure($"not logged in to {Node.Key} (run 'greyos login --key{NodeFlag}' to log in again as {kept.UserName} with the stored key)"),
        { Outdated: true } => CliException.Failure($"the stored login for {Node.Key} is from an older greyos (a bearer token, which nodes no longer accept); log in again: 'greyos login{NodeFlag}'"),
        _ => CliException.Failure($"not logged in to {Node.Key} (run 'greyos login{NodeFlag}')"),
    };

    /// <summary><c>--node URL</c> when the node is not the default, for hints that repeat a command.</summary>
    public string NodeFlag => Node.IsDefault ? string.Empty : $" --node {Node.Key}";

    /// <summary>
    /// Runs <paramref name="call"/>; when the node answers <c>step_up_required</c> and a password can be
    /// had (a terminal, or <see cref="PasswordFromStdin"/>), proves the password again
    /// (<c>POST /auth/step-up</c>) and retries once. Otherwise the failure says to run <c>greyos step-up</c>.
    /// </summary>
    public async Task<T> WithFreshProofAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.Code == StepUpRequiredCode && Stored is not null && (PasswordFromStdin || IO.IsInteractive))
        {
            var password = await ReadPasswordAsync(
                $"This action needs a fresh proof. Password for {Stored.UserName} at {Node.Key}:", cancellationToken).ConfigureAwait(false);
            await Client.StepUpAsync(password, cancellationToken).ConfigureAwait(false);
            return await call(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="WithFreshProofAsync{T}"/>
    public Task WithFreshProofAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return WithFreshProofAsync<bool>(async ct =>
        {
            await call(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// A password: the next line of standard input with <see cref="PasswordFromStdin"/>, else asked
    /// (masked) at the terminal; without either, a usage error.
    /// </summary>
    public async Task<string> ReadPasswordAsync(string prompt, CancellationToken cancellationToken)
    {
        if (PasswordFromStdin)
        {
            return await ReadPasswordFromStdinAsync(cancellationToken).ConfigureAwait(false);
        }

        if (IO.IsInteractive)
        {
            return await AskSecretAsync(prompt, cancellationToken).ConfigureAwait(false);
        }

        throw CliException.Usage("no terminal to ask for the password: pass --password-stdin and write the password to standard input");
    }

    /// <summary>Reads one secret line from standard input (<c>--password-stdin</c>); each call reads the next line.</summary>
    public async Task<string> ReadPasswordFromStdinAsync(CancellationToken cancellationToken)
    {
        var line = await IO.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        _stdinPasswords++;
        return string.IsNullOrEmpty(line)
            ? throw CliException.Usage(_stdinPasswords == 1
                ? "--password-stdin: standard input has no password (write it as the first line)"
                : $"--password-stdin: standard input has no password on line {_stdinPasswords.ToString(CultureInfo.InvariantCulture)} (this command needs {_stdinPasswords.ToString(CultureInfo.InvariantCulture)} passwords, one per line)")
            : line;
    }

    /// <summary>A new password: read from standard input with <see cref="PasswordFromStdin"/>, else asked twice at the terminal until both match (3 tries).</summary>
    public async Task<string> ReadNewPasswordAsync(string prompt, CancellationToken cancellationToken)
    {
        if (PasswordFromStdin)
        {
            return await ReadPasswordFromStdinAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!IO.IsInteractive)
        {
            throw CliException.Usage("no terminal to ask for the password: pass --password-stdin and write the password to standard input");
        }

        for (var attempt = 1; ; attempt++)
        {
            var password = await AskSecretAsync(prompt, cancellationToken).ConfigureAwait(false);
            var again = await AskSecretAsync("Repeat the password:", cancellationToken).ConfigureAwait(false);
            if (password == again)
            {
                return password;
            }

            if (attempt == NewPasswordAttempts)
            {
                throw CliException.Failure("the passwords did not match");
            }

            Prompts.Write(new Text("The passwords do not match; try again." + Environment.NewLine));
        }
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

    /// <summary>The name a new device key is registered under: <c>USER@HOST</c> (at most 64 characters).</summary>
    public static string DeviceName(string userName)
    {
        string host;
        try
        {
            host = Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            host = Environment.MachineName;
        }

        var name = $"{userName}@{(string.IsNullOrWhiteSpace(host) ? "localhost" : host.Trim())}";
        name = new string([.. name.Where(c => !char.IsControl(c))]);
        return name.Length <= MaxDeviceNameLength ? name : name[..MaxDeviceNameLength];
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
