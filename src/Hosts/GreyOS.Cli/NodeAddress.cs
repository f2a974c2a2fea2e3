namespace GreyOS.Cli;

/// <summary>
/// The node the CLI talks to: from <c>--node</c>, else <c>GREYOS_NODE</c>, else
/// <see cref="Default"/>. <see cref="Key"/> (scheme, host, port and path, no trailing slash)
/// names the node in the credential store.
/// </summary>
internal sealed class NodeAddress
{
    public const string Default = "http://127.0.0.1:5080";
    public const string EnvironmentVariable = "GREYOS_NODE";

    private NodeAddress(Uri baseAddress, bool isDefault)
    {
        BaseAddress = baseAddress;
        Key = baseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/');
        IsDefault = isDefault;
    }

    /// <summary>The node's URL, ending in <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The normalized URL without trailing slash, e.g. <c>http://127.0.0.1:5080</c>.</summary>
    public string Key { get; }

    /// <summary>True when neither <c>--node</c> nor <c>GREYOS_NODE</c> chose the node.</summary>
    public bool IsDefault { get; }

    public override string ToString() => Key;

    /// <summary>Resolves the node; a malformed URL is a usage error naming where it came from.</summary>
    public static NodeAddress Resolve(string? fromOption, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (fromOption is not null)
        {
            return Parse(fromOption, "--node", isDefault: false);
        }

        var fromEnvironment = environment(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? Parse(Default, "the default node", isDefault: true)
            : Parse(fromEnvironment, EnvironmentVariable, isDefault: false);
    }

    private static NodeAddress Parse(string text, string source, bool isDefault)
    {
        var trimmed = text.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw CliException.Usage($"{source} must be an absolute http:// or https:// URL such as {Default}, not '{text}'");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw CliException.Usage($"{source} must be a plain node URL without user name, query or fragment, not '{text}'");
        }

        var path = uri.GetLeftPart(UriPartial.Path);
        return new NodeAddress(new Uri(path.EndsWith('/') ? path : path + "/"), isDefault);
    }
}
