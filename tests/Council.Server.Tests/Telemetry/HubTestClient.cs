using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Council.Server.Tests.Telemetry;

/// <summary>
/// Just enough of the SignalR JSON protocol over a WebSocket (no negotiate) to drive the hub from .NET:
/// invocations with results, and the server's messages as (target, payload) pairs, as raw JSON. The telemetry tests
/// use it; tests of the contract itself use the official .NET client (Hub/TypedClientTests).
/// </summary>
internal sealed class HubTestClient : IAsyncDisposable
{
    private const char Separator = '\u001e';

    private readonly ClientWebSocket _socket;
    private readonly Channel<(string Target, JsonElement Payload)> _messages = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _pending = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HubTestClient(ClientWebSocket socket) => _socket = socket;

    public static async Task<HubTestClient> ConnectAsync(Uri hub, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(hub, cancellationToken);
        var client = new HubTestClient(socket);
        await client.SendAsync("""{"protocol":"json","version":1}""", cancellationToken);
        var handshake = await client.ReceiveRecordAsync(new StringBuilder(), cancellationToken);
        if (handshake != "{}")
        {
            throw new InvalidOperationException($"Handshake failed: {handshake}");
        }
        client._receiving = Task.Run(() => client.ReceiveLoopAsync(client._stop.Token), CancellationToken.None);
        return client;
    }

    /// <summary>Every message the server sent, in order.</summary>
    public ChannelReader<(string Target, JsonElement Payload)> Messages => _messages.Reader;

    /// <summary>Invokes a hub method with one argument and returns its result (throws with the hub's error).</summary>
    public async Task<JsonElement> InvokeAsync(string target, object argument, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending[id] = completion;
        }
        var message = new JsonObject
        {
            ["type"] = 1,
            ["invocationId"] = id,
            ["target"] = target,
            ["arguments"] = new JsonArray(JsonSerializer.SerializeToNode(argument, JsonSerializerOptions.Web)),
        };
        await SendAsync(message.ToJsonString(), cancellationToken);
        return await completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads server messages until one with <paramref name="target"/> matches.</summary>
    public async Task<JsonElement> WaitForAsync(string target, Func<JsonElement, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var (t, payload) in Messages.ReadAllAsync(cancellationToken))
        {
            if (t == target && match(payload))
            {
                return payload;
            }
        }
        throw new InvalidOperationException($"The connection closed before a matching {target}.");
    }

    private async Task SendAsync(string json, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json + Separator), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new StringBuilder();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var record = await ReceiveRecordAsync(buffer, cancellationToken);
                if (record is null)
                {
                    break;
                }
                Dispatch(JsonDocument.Parse(record).RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
            lock (_gate)
            {
                foreach (var pending in _pending.Values)
                {
                    pending.TrySetException(new InvalidOperationException("The connection closed."));
                }
            }
        }
    }

    private void Dispatch(JsonElement message)
    {
        switch (message.GetProperty("type").GetInt32())
        {
            case 1:
                _messages.Writer.TryWrite((message.GetProperty("target").GetString()!, message.GetProperty("arguments")[0]));
                break;
            case 3:
                TaskCompletionSource<JsonElement>? completion;
                lock (_gate)
                {
                    _pending.Remove(message.GetProperty("invocationId").GetString()!, out completion);
                }
                if (message.TryGetProperty("error", out var error))
                {
                    completion?.TrySetException(new InvalidOperationException(error.GetString()));
                }
                else
                {
                    completion?.TrySetResult(message.TryGetProperty("result", out var result) ? result : default);
                }
                break;
        }
    }

    /// <summary>The next record (text up to a separator), or null when the socket closed.</summary>
    private async Task<string?> ReceiveRecordAsync(StringBuilder buffer, CancellationToken cancellationToken)
    {
        var bytes = new byte[16 * 1024];
        while (true)
        {
            var text = buffer.ToString();
            var end = text.IndexOf(Separator, StringComparison.Ordinal);
            if (end >= 0)
            {
                buffer.Remove(0, end + 1);
                return text[..end];
            }
            var received = await _socket.ReceiveAsync(bytes, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            var chars = new char[_utf8.GetCharCount(bytes, 0, received.Count)];
            _utf8.GetChars(bytes, 0, received.Count, chars, 0);
            buffer.Append(chars);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        await _receiving.ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
