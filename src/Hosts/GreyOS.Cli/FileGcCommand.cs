using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary><c>greyos fs gc</c>: collects the node's content store now (permission <c>fs.admin</c>).</summary>
internal static class FileGcCommand
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var json = SessionCommands.Json();
        var command = new Command("gc", "Collect the content store now: delete stored chunks no file, version or trash item uses (older than the grace period; needs fs.admin)") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var report = await context.Client.CollectContentGarbageAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(report, FileGcJsonContext.Default.ContentGcResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var n = (long count) => count.ToString("N0", CultureInfo.InvariantCulture);
            context.WriteLine(
                $"Collected the content store in {report.DurationMs.ToString("0", CultureInfo.InvariantCulture)} ms: {n(report.Swept)} unused chunks deleted ({FileCommands.Size(report.SweptBytes)}), "
                + $"{n(report.Marked)} in use, {n(report.KeptByGrace)} kept for the grace period ({n(report.Scanned)} scanned).");
            return ExitCodes.Success;
        }));
        return command;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ContentGcResponse))]
internal sealed partial class FileGcJsonContext : JsonSerializerContext;
