using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.LoadProbe;

/// <summary>
/// Wraps a hub protocol so each <c>token</c> invocation carries the header
/// <c>council-emitted: firstNs;lastNs;tokens;sentNs</c>: when its first and last token were emitted by the model and
/// when this message was written, in nanoseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, the clock a
/// client on the same machine reads with <c>process.hrtime</c>). Everything else passes through untouched.
/// </summary>
public sealed class StampingHubProtocol(IHubProtocol inner, TokenStamps stamps, TimeProvider time) : IHubProtocol
{
    public const string HeaderName = "council-emitted";

    private readonly double _nsPerTick = 1e9 / time.TimestampFrequency;

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Stamped(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Stamped(message));

    private HubMessage Stamped(HubMessage message)
    {
        if (message is InvocationMessage { Target: HubMethodNames.Token, Arguments: [TokenEvent token] } invocation
            && stamps.TryGet(token, out var stamp))
        {
            // The invocation is created for this one send: it carries the header itself (one small object, no copy).
            invocation.Headers = new OneHeader(HeaderName, string.Create(CultureInfo.InvariantCulture,
                $"{Ns(stamp.FirstEmittedAt)};{Ns(stamp.LastEmittedAt)};{stamp.Tokens};{Ns(time.GetTimestamp())}"));
        }
        return message;
    }

    private long Ns(long timestamp) => (long)(timestamp * _nsPerTick);
}
