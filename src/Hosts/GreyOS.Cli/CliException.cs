namespace GreyOS.Cli;

/// <summary>An expected failure of a command: printed as one line <c>greyos: message</c>, then exit with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException Failure(string message) => new(ExitCodes.Failure, message);
}
