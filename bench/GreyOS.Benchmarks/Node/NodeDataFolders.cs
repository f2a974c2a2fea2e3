namespace GreyOS.Benchmarks.Node;

/// <summary>Temporary data folders for nodes under test, and a node that has been set up once.</summary>
internal static class NodeDataFolders
{
    /// <summary>The administrator password given on the preparing first boot (GREYOS_ADMIN_PASSWORD).</summary>
    public const string AdminPassword = "benchmark-admin-password";

    public static string CreateEmpty(string purpose) => Directory.CreateTempSubdirectory($"greyos-bench-{purpose}-").FullName;

    /// <summary>
    /// A data folder as an installed node has it: first boot done (instance key, migrations) and the
    /// administrator's password set, so later starts neither migrate nor issue a setup code.
    /// </summary>
    public static async Task<string> CreateSetUpAsync(string purpose, HttpClient client)
    {
        var folder = CreateEmpty(purpose);
        var node = Harness.ServerProcess.Start(
            Harness.ServerBinaries.Node,
            ["--urls", Harness.ServerProcess.LoopbackAnyPort, "--data", Path.Combine(folder, "data")],
            new Dictionary<string, string> { ["GREYOS_ADMIN_PASSWORD"] = AdminPassword });
        await using (node.ConfigureAwait(false))
        {
            var address = await node.WaitListeningAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            await Harness.LoopbackHttp.WaitReadyAsync(client, address, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        return Path.Combine(folder, "data");
    }

    /// <summary>Deletes a folder made by this class (its parent temp folder when given the data folder).</summary>
    public static void Delete(string? folder)
    {
        if (folder is null)
        {
            return;
        }

        var root = Path.GetFileName(folder) == "data" ? Path.GetDirectoryName(folder)! : folder;
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
