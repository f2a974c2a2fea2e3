using System.Text;

namespace GreyOS.Cli;

/// <summary>
/// Where an app's output bytes go: the raw standard stream (byte-exact), or — when the
/// <see cref="CliIO"/> has none, as in tests — decoded as UTF-8 into the text writer (a character
/// split across frames is kept until its last byte arrives).
/// </summary>
internal sealed class OutputSink(TextWriter writer, Func<Stream>? openStream)
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
    private Stream? _stream;

    public static OutputSink Stdout(CliIO io) => new(io.Out, io.OpenStandardOutput);

    public static OutputSink Stderr(CliIO io) => new(io.Error, io.OpenStandardError);

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (openStream is not null)
        {
            // Whatever the CLI wrote as text comes first.
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            _stream ??= openStream();
            await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteDecodedAsync(data.Span, flush: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes out a pending partial character (as U+FFFD) when the output has ended.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) =>
        openStream is null ? WriteDecodedAsync([], flush: true, cancellationToken) : Task.CompletedTask;

    private Task WriteDecodedAsync(ReadOnlySpan<byte> data, bool flush, CancellationToken cancellationToken)
    {
        var chars = new char[_decoder.GetCharCount(data, flush)];
        var count = _decoder.GetChars(data, chars, flush);
        return count == 0 ? Task.CompletedTask : WriteCharsAsync(chars.AsMemory(0, count), cancellationToken);
    }

    private async Task WriteCharsAsync(ReadOnlyMemory<char> chars, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(chars, cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
