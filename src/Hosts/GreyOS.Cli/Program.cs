namespace GreyOS.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C cancels the running command cleanly; a second one ends the process.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        return await CliApp.RunAsync(args, CliIO.FromConsole(), cancellation.Token).ConfigureAwait(false);
    }
}
