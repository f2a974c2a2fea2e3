using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>
/// A live connection to a process (<c>GET /api/v1/processes/{pid}/attach</c>, a WebSocket): read its
/// output with <see cref="ReadOutputAsync"/> (first what the node kept so far, then live) until the
/// process ends, then <see cref="Result"/> is its final record. Feed its stdin with
/// <see cref="SendInputAsync"/> and <see cref="CompleteInputAsync"/> (end of file). Reading and sending
/// may run concurrently (one reader, any number of senders). Get one from <see cref="GreyOSClient.AttachAsync"/>.
/// </summary>
public sealed class ProcessAttachment : IAsyncDisposable
{
    /// <summary>The largest message accepted from the node (a larger one breaks the connection).</summary>
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri _nodeAddress;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _reading;
    private int _disposed;

    internal ProcessAttachment(long pid, ClientWebSocket socket, HttpMessageInvoker invoker, Uri nodeAddress)
    {
        Pid = pid;
        _socket = socket;
        _invoker = invoker;
        _nodeAddress = nodeAddress;
    }

    /// <summary>The attached process.</summary>
    public long Pid { get; }

    /// <summary>The process's final record, once <see cref="ReadOutputAsync"/> has completed; null before.</summary>
    public ProcessResponse? Result { get; private set; }

    /// <summary>
    /// The process's output, frame by frame, byte-exact: first the output the node kept so far, then
    /// live output. Completes when the process has ended (<see cref="Result"/> is then set). May be
    /// enumerated once.
    /// </summary>
    /// <exception cref="GreyOSConnectionException">The connection broke or closed before the process ended.</exception>
    /// <exception cref="GreyOSApiException">The final record is not valid JSON (<see cref="GreyOSClient.InvalidResponseCode"/>).</exception>
    public async IAsyncEnumerable<OutputFrame> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("the output of an attachment can be read once");
        }

        var buffer = new byte[64 * 1024];
        while (true)
        {
            var (type, message) = await ReceiveMessageAsync(buffer, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case WebSocketMessageType.Binary:
                    if (AttachFrameCodec.TryDecodeOutput(message, out var frame) && frame.Data.Length > 0)
                    {
                        yield return frame;
                    }

                    break;

                case WebSocketMessageType.Text:
                    Result = ParseResult(message);
                    yield break;

                default:
                    var status = _socket.CloseStatus is { } code ? $"{(int)code} {_socket.CloseStatusDescription}".TrimEnd() : "no status";
                    throw new GreyOSConnectionException(_nodeAddress, $"the node closed the connection to process {Pid} before it ended ({status})");
            }
        }
    }

    /// <summary>Sends bytes to the process's stdin (split into frames of at most 64 KiB).</summary>
    /// <exception cref="GreyOSConnectionException">The connection is closed or broke.</exception>
    public async Task SendInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        for (var offset = 0; offset < data.Length; offset += AttachFrameCodec.MaxStdinFrameData)
        {
            var chunk = data.Slice(offset, Math.Min(AttachFrameCodec.MaxStdinFrameData, data.Length - offset));
            await SendFrameAsync(AttachFrameCodec.EncodeStdin(chunk.Span), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the process's stdin: it reads end-of-file once it has read what was sent.</summary>
    /// <exception cref="GreyOSConnectionException">The connection is closed or broke.</exception>
    public Task CompleteInputAsync(CancellationToken cancellationToken = default) =>
        SendFrameAsync(AttachFrameCodec.EncodeStdinEof(), cancellationToken);

    /// <summary>Closes the connection (the process keeps running if it has not ended).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // Say goodbye without waiting for the node's answer (it may still be streaming output).
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "detached", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException or IOException)
        {
            // The node went away or did not answer the close in time: nothing left to tidy but the socket.
            _socket.Abort();
        }
        finally
        {
            _socket.Dispose();
            _invoker.Dispose();
            _sendLock.Dispose();
        }
    }

    private async Task SendFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                throw new GreyOSConnectionException(_nodeAddress, $"the connection to process {Pid} is closed");
            }

            await _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            throw new GreyOSConnectionException(_nodeAddress, $"the connection to process {Pid} broke: {ex.Message.TrimEnd('.')}", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Receives one whole message (joining fragments). Close returns <see cref="WebSocketMessageType.Close"/>.</summary>
    private async Task<(WebSocketMessageType Type, ReadOnlyMemory<byte> Data)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        MemoryStream? joined = null;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult received;
                try
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException)
                {
                    throw new GreyOSConnectionException(_nodeAddress, $"the connection to process {Pid} broke: {ex.Message.TrimEnd('.')}", ex);
                }

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return (WebSocketMessageType.Close, ReadOnlyMemory<byte>.Empty);
                }

                if (received.EndOfMessage && joined is null)
                {
                    return (received.MessageType, buffer.AsSpan(0, received.Count).ToArray());
                }

                joined ??= new MemoryStream();
                joined.Write(buffer, 0, received.Count);
                if (joined.Length > MaxMessageBytes)
                {
                    throw new GreyOSConnectionException(_nodeAddress, $"the node sent a message larger than {MaxMessageBytes} bytes");
                }

                if (received.EndOfMessage)
                {
                    return (received.MessageType, joined.ToArray());
                }
            }
        }
        finally
        {
            joined?.Dispose();
        }
    }

    private ProcessResponse ParseResult(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json.Span, ProtocolJsonContext.Default.ProcessResponse)
                ?? throw new JsonException("the record is null");
        }
        catch (JsonException ex)
        {
            throw new GreyOSApiException(
                System.Net.HttpStatusCode.OK,
                GreyOSClient.InvalidResponseCode,
                $"the final record of process {Pid} is not a GreyOS process record ({ex.Message.TrimEnd('.')})",
                title: null,
                traceId: null,
                ex);
        }
    }
}
