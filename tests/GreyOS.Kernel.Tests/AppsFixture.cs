using System.Diagnostics;

[assembly: AssemblyFixture(typeof(GreyOS.Kernel.Tests.AppsFixture))]

namespace GreyOS.Kernel.Tests;

/// <summary>
/// Builds the C and WAT apps under <c>apps/</c> once per test run with <c>apps/build.sh</c>
/// (clang-14 --target=wasm32-wasi, wasi-libc, wabt — installed by <c>.ci/run</c>).
/// </summary>
public sealed class AppsFixture
{
    public AppsFixture()
    {
        Root = RepositoryRoot();
        var build = new ProcessStartInfo("bash", [Path.Combine(Root, "apps", "build.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(Root, "apps"),
        };
        using var process = Process.Start(build)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
        }

        BuildSucceeded = process.HasExited && process.ExitCode == 0;
        BuildLog = stdout.Result + stderr.Result;
    }

    public string Root { get; }

    public bool BuildSucceeded { get; }

    public string BuildLog { get; }

    /// <summary>The bytes of <c>apps/out/NAME.wasm</c>; fails the test with the build log when the build failed.</summary>
    public byte[] Wasm(string name)
    {
        Assert.True(BuildSucceeded, "apps/build.sh failed (needs clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32, wabt: see .ci/run):\n" + BuildLog);
        return File.ReadAllBytes(Path.Combine(Root, "apps", "out", name + ".wasm"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GreyOS.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GreyOS.slnx not found");
    }
}
