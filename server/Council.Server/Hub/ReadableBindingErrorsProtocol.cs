using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Hub;

/// <summary>
/// Wraps a hub protocol so that what a client sent wrong comes back to it in words:
/// arguments of the wrong shape as a <see cref="HubException"/> naming the method (binding fails before any hub
/// filter runs, and SignalR would only say "an error on the server"), and a malformed or oversized message as the
/// reason in the close message (SignalR passes a <see cref="HubException"/>'s message on even without detailed
/// errors). Each is logged once, as a refusal: no stack.
/// </summary>
public sealed partial class ReadableBindingErrorsProtocol(
    IHubProtocol inner,
    long maximumMessageSize,
    ILogger<ReadableBindingErrorsProtocol> logger,
    MessagePackArgumentExplainer? explainer = null) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (TransferFormat == TransferFormat.Binary && BinaryFrame.TryReadLength(input, out var length, out var prefixSize)
            && length + prefixSize > maximumMessageSize)
        {
            // Refused as soon as the frame's prefix arrives, instead of after buffering up to the limit.
            throw Refuse($"a message of {length} bytes is over the {maximumMessageSize}-byte limit");
        }
        var frame = input;
        try
        {
            if (!inner.TryParseMessage(ref input, binder, out message))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is not HubException)
        {
            throw Refuse($"a malformed message: {ex.Message}");
        }
        if (message is InvocationBindingFailureMessage failure)
        {
            var cause = failure.BindingFailure.SourceException;
            var readable = cause.Message == "Method does not exist."
                ? $"Unknown hub method '{failure.Target}'."
                : $"The arguments of '{failure.Target}' do not match the contract: {explainer?.Explain(frame, binder, failure.Target) ?? Describe(cause)}";
            LogBindingRefused(logger, Name, failure.Target, readable);
            message = new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(new HubException(readable)));
        }
        return true;
    }

    private HubException Refuse(string reason)
    {
        LogMessageRefused(logger, Name, reason);
        return new HubException($"The {Name} protocol refused {reason}");
    }

    /// <summary>The innermost messages that say something: MessagePack nests "Failed to deserialize X" around the cause.</summary>
    private static string Describe(Exception cause)
    {
        var parts = new List<string>();
        for (var e = cause.InnerException ?? cause; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
        }
        return string.Join(" ", parts);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a {Protocol} call of {Method}: {Reason}")]
    private static partial void LogBindingRefused(ILogger logger, string protocol, string method, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed a {Protocol} connection: {Reason}")]
    private static partial void LogMessageRefused(ILogger logger, string protocol, string reason);
}
