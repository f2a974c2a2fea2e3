using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace GreyOS.Cli;

/// <summary><c>greyos status [--json]</c>: is the node up, which instance is it, is setup pending.</summary>
internal static class StatusCommand
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("status", "Show the node's health and identity: URL, status, version, instance DID, uptime, setup") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var health = await context.Client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
            var ready = await context.Client.GetReadyAsync(cancellationToken).ConfigureAwait(false);
            var isReady = ready.Status == "ready";
            if (parse.GetValue(json))
            {
                var output = new StatusOutput(context.Node.Key, health.Status, isReady, health.Version, health.Instance, health.StartedAt, health.UptimeSeconds, health.SetupPending);
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(output, CliJsonContext.Default.StatusOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var startedAt = health.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            context.WriteFacts(
            [
                ("Node", context.Node.Key),
                ("Status", isReady ? $"{health.Status}, ready" : $"{health.Status}, not ready (starting or stopping)"),
                ("Version", health.Version),
                ("Instance", health.Instance),
                ("Uptime", $"{FormatUptime(health.UptimeSeconds)} (since {startedAt})"),
                ("Setup", health.SetupPending
                    ? $"pending: the administrator has no password yet; run 'greyos setup{context.NodeFlag}' with the code from the node's log"
                    : "complete"),
            ]);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>3d 4h 5m</c>, <c>2h 3m 4s</c>, <c>7s</c>.</summary>
    internal static string FormatUptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Floor(seconds)));
        return span switch
        {
            { TotalDays: >= 1 } => $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes}m",
            { TotalHours: >= 1 } => $"{span.Hours}h {span.Minutes}m {span.Seconds}s",
            { TotalMinutes: >= 1 } => $"{span.Minutes}m {span.Seconds}s",
            _ => $"{span.Seconds}s",
        };
    }
}
