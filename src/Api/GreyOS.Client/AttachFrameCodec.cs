using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>Which output stream of a process a piece of output belongs to (the values are the attach tags).</summary>
public enum OutputChannel
{
    /// <summary>Standard output (tag <see cref="AttachFrames.Stdout"/>).</summary>
    Stdout = AttachFrames.Stdout,

    /// <summary>Standard error (tag <see cref="AttachFrames.Stderr"/>).</summary>
    Stderr = AttachFrames.Stderr,
}

/// <summary>A piece of a process's output, exactly the bytes the app wrote.</summary>
public readonly record struct OutputFrame(OutputChannel Channel, ReadOnlyMemory<byte> Data);

/// <summary>
/// The binary frames of <c>GET /api/v1/processes/{pid}/attach</c> (see <see cref="AttachFrames"/>):
/// one tag byte, then data.
/// </summary>
public static class AttachFrameCodec
{
    /// <summary>The most data one stdin frame carries; longer input is split (the node accepts frames up to 1 MiB).</summary>
    public const int MaxStdinFrameData = 64 * 1024;

    /// <summary>A stdin frame: tag <see cref="AttachFrames.Stdin"/> then <paramref name="data"/> (at most <see cref="MaxStdinFrameData"/> bytes).</summary>
    public static byte[] EncodeStdin(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxStdinFrameData)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"a stdin frame carries at most {MaxStdinFrameData} bytes");
        }

        var frame = new byte[data.Length + 1];
        frame[0] = AttachFrames.Stdin;
        data.CopyTo(frame.AsSpan(1));
        return frame;
    }

    /// <summary>The stdin end-of-file frame: tag <see cref="AttachFrames.StdinEof"/>, no data.</summary>
    public static byte[] EncodeStdinEof() => [AttachFrames.StdinEof];

    /// <summary>
    /// Reads a binary frame from the node. False for frames that are not output (empty, or a tag this
    /// client does not know: ignored, so a newer node can add frame kinds).
    /// </summary>
    public static bool TryDecodeOutput(ReadOnlyMemory<byte> message, out OutputFrame frame)
    {
        if (message.Length > 0 && message.Span[0] is AttachFrames.Stdout or AttachFrames.Stderr)
        {
            frame = new OutputFrame((OutputChannel)message.Span[0], message[1..]);
            return true;
        }

        frame = default;
        return false;
    }
}
