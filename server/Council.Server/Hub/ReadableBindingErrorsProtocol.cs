using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Hub;

/// <summary>
/// Wraps a hub protocol so that arguments of the wrong shape come back to the client as a
/// <see cref="HubException"/> naming the method and the field, instead of SignalR's generic
/// "an error on the server" (binding fails before any hub filter runs).
/// </summary>
public sealed class ReadableBindingErrorsProtocol(IHubProtocol inner) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }
        if (message is InvocationBindingFailureMessage failure)
        {
            var cause = failure.BindingFailure.SourceException;
            var readable = cause.Message == "Method does not exist."
                ? $"Unknown hub method '{failure.Target}'."
                : $"The arguments of '{failure.Target}' do not match the contract: {cause.InnerException?.Message ?? cause.Message}";
            message = new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(new HubException(readable)));
        }
        return true;
    }
}
