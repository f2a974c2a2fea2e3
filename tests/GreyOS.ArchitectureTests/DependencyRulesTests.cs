using System.Reflection;

namespace GreyOS.ArchitectureTests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the compiled assemblies: which GreyOS
/// assemblies each may reference, and which assembly is the one home of each heavy dependency.
/// </summary>
public sealed class DependencyRulesTests
{
    /// <summary>Allowed GreyOS references per product assembly. A new project must be added here.</summary>
    private static readonly Dictionary<string, string[]> AllowedGreyOSReferences = new()
    {
        ["GreyOS.Abstractions"] = [],
        ["GreyOS.Protocol"] = [],
        ["GreyOS.Kernel"] = ["GreyOS.Abstractions"],
        ["GreyOS.Storage.Sqlite"] = ["GreyOS.Abstractions"],
        ["GreyOS.Runtime.Wasmtime"] = ["GreyOS.Abstractions"],
        ["GreyOS.Identity"] = ["GreyOS.Abstractions"],
        ["GreyOS.FileSystem"] = ["GreyOS.Abstractions"],
        ["GreyOS.Hosting"] = ["GreyOS.Abstractions", "GreyOS.Storage.Sqlite", "GreyOS.Identity", "GreyOS.FileSystem", "GreyOS.Kernel", "GreyOS.Runtime.Wasmtime"],
        ["GreyOS.Server"] = ["GreyOS.Abstractions", "GreyOS.Hosting", "GreyOS.Protocol"],
        ["GreyOS.Client"] = ["GreyOS.Protocol"],
        ["GreyOS.Cli"] = ["GreyOS.Client", "GreyOS.Protocol"],
    };

    /// <summary>Heavy third-party stacks (assembly-name prefix) and the only assemblies allowed to use them.</summary>
    private static readonly (string Prefix, string[] Homes)[] HeavyDependencies =
    [
        ("Microsoft.AspNetCore", ["GreyOS.Server"]),
        ("System.CommandLine", ["GreyOS.Cli"]),
        ("Spectre.Console", ["GreyOS.Cli"]),
        ("Microsoft.Data.Sqlite", ["GreyOS.Storage.Sqlite"]),
        // Crypto: the node verifies (Identity), the client signs and runs SRP's client half (Client).
        ("NSec.Cryptography", ["GreyOS.Identity", "GreyOS.Client"]),
        ("BouncyCastle.Cryptography", ["GreyOS.Identity", "GreyOS.Client"]),
        ("Wasmtime", ["GreyOS.Runtime.Wasmtime"]),
        ("Orleans", ["GreyOS.Cluster.Orleans"]),
        ("Microsoft.Orleans", ["GreyOS.Cluster.Orleans"]),
    ];

    public static TheoryData<string> ProductAssemblies() => [.. AllowedGreyOSReferences.Keys];

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void References_ProductAssembly_OnlyAllowedGreyOSAssemblies(string assemblyName)
    {
        var actual = References(assemblyName).Where(r => r.StartsWith("GreyOS.", StringComparison.Ordinal)).Order().ToList();

        var forbidden = actual.Except(AllowedGreyOSReferences[assemblyName]).ToList();

        Assert.True(forbidden.Count == 0, $"{assemblyName} must not reference {string.Join(", ", forbidden)} (see docs/architecture.md)");
    }

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void References_ProductAssembly_HeavyDependenciesOnlyInTheirHome(string assemblyName)
    {
        var references = References(assemblyName);

        foreach (var (prefix, homes) in HeavyDependencies)
        {
            var used = references.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.True(
                used.Count == 0 || homes.Contains(assemblyName),
                $"{assemblyName} uses {string.Join(", ", used)}; only {string.Join(", ", homes)} may (one home per heavy dependency)");
        }
    }

    [Fact]
    public void AllowList_EverySourceProject_IsListed()
    {
        var projects = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order()
            .ToList();

        Assert.Equal(AllowedGreyOSReferences.Keys.Order(), projects);
    }

    private static List<string> References(string assemblyName) =>
        Assembly.Load(assemblyName).GetReferencedAssemblies().Select(a => a.Name!).ToList();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GreyOS.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GreyOS.slnx not found above " + AppContext.BaseDirectory);
    }
}
