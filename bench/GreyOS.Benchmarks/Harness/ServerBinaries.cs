using System.Reflection;
using System.Runtime.InteropServices;

namespace GreyOS.Benchmarks.Harness;

/// <summary>
/// Finds the programs under test: the <c>dotnet</c> host and the built GreyOS node and baseline
/// assemblies, in the configuration this benchmark assembly was built in (the project references
/// them with <c>ReferenceOutputAssembly=false</c>, so building the benchmarks builds them too).
/// </summary>
public static class ServerBinaries
{
    private static readonly Lazy<string> RepositoryRootPath = new(FindRepositoryRoot);
    private static readonly Lazy<string> DotNetHostPath = new(FindDotNetHost);

    /// <summary>The repository root (the folder holding GreyOS.slnx).</summary>
    public static string RepositoryRoot => RepositoryRootPath.Value;

    /// <summary>The <c>dotnet</c> executable that runs the servers (the one running this process when possible).</summary>
    public static string DotNetHost => DotNetHostPath.Value;

    /// <summary>The GreyOS node: <c>src/Hosts/GreyOS.Server</c>.</summary>
    public static string Node => Output("src/Hosts/GreyOS.Server", "GreyOS.Server.dll");

    /// <summary>The bare ASP.NET Core minimal app: <c>bench/Baselines/GreyOS.Baseline.MinimalApi</c>.</summary>
    public static string MinimalApi => Output("bench/Baselines/GreyOS.Baseline.MinimalApi", "GreyOS.Baseline.MinimalApi.dll");

    /// <summary>The build configuration the servers are taken from (this assembly's).</summary>
    public static string Configuration => Metadata("GreyOS.Bench.Configuration") ?? "Release";

    private static string Output(string projectFolder, string assembly)
    {
        var framework = Metadata("GreyOS.Bench.TargetFramework") ?? "net10.0";
        var path = Path.Combine(RepositoryRoot, projectFolder, "bin", Configuration, framework, assembly);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{path} is missing; build it first: dotnet build -c {Configuration} bench/GreyOS.Benchmarks (run the benchmarks with dotnet run -c Release --project bench/GreyOS.Benchmarks)",
                path);
    }

    private static string? Metadata(string key) =>
        typeof(ServerBinaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "GreyOS.slnx")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"GreyOS.slnx not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; run the benchmarks from the repository");
    }

    private static string FindDotNetHost()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == executable)
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var candidate = Path.Combine(root, executable);
        return File.Exists(candidate) ? candidate : executable;
    }
}
