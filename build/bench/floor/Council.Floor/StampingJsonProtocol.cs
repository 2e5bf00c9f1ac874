using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Council.Contracts.Hub;
using Council.LoadProbe;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Floor;

/// <summary>
/// The JSON hub protocol with Council's load-probe header on every <c>token</c> message
/// (<c>council-emitted: firstNs;lastNs;tokens;sentNs</c>, as <c>Council.Server.LoadProbe.StampingHubProtocol</c>
/// writes it): the driver times the floor's tokens exactly as it times Council's.
/// </summary>
public sealed class StampingJsonProtocol(IHubProtocol inner) : IHubProtocol
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Stamped(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Stamped(message));

    private static HubMessage Stamped(HubMessage message)
    {
        if (message is InvocationMessage { Target: HubMethodNames.Token, Arguments: [FloorToken token] } invocation)
        {
            var emitted = Ns(token.EmittedAt);
            invocation.Headers = new OneHeader("council-emitted", string.Create(CultureInfo.InvariantCulture,
                $"{emitted};{emitted};1;{Ns(Stopwatch.GetTimestamp())}"));
        }
        return message;
    }

    private static long Ns(long timestamp) => (long)(timestamp * NsPerTick);
}
