using GreyOS.Abstractions.Node;

namespace GreyOS.Hosting.Configuration;

/// <summary>The node's command line: <c>--urls URLS</c>, <c>--data DIR</c>, <c>--help</c>, <c>--version</c>.</summary>
public sealed record NodeArguments(IReadOnlyDictionary<string, string?> Settings, bool Help, bool Version)
{
    public const string Usage = """
        Usage: greyos-server [options]

        Starts a GreyOS node with its web desktop and HTTP API.

        Options:
          --urls URLS   where to listen, e.g. http://127.0.0.1:5080 (env GREYOS_URLS)
          --data DIR    the data folder (env GREYOS_DATA; default ~/.local/share/greyos)
          --version     print the version and exit
          -h, --help    print this help and exit

        Any setting can also be given as GREYOS__SECTION__KEY environment variables or in appsettings.json.
        """;

    /// <summary>Parses the flags; throws <see cref="NodeStartupException"/> on anything unknown or incomplete.</summary>
    public static NodeArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        bool help = false, version = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            string TakeValue()
            {
                if (eq > 0)
                {
                    return arg[(eq + 1)..];
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new NodeStartupException($"option '{name}' needs a value; run with --help");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--urls":
                    settings[$"{GreyOSOptions.Section}:{nameof(GreyOSOptions.Urls)}"] = TakeValue();
                    break;
                case "--data":
                    settings[$"{GreyOSOptions.Section}:{nameof(GreyOSOptions.DataDirectory)}"] = TakeValue();
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                case "--version":
                    version = true;
                    break;
                default:
                    throw new NodeStartupException($"unknown option '{name}'; run with --help");
            }
        }

        return new NodeArguments(settings, help, version);
    }
}
