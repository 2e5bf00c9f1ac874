using Council.Contracts.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>Binds as the hub does: the contract's methods, and a few extra shapes the vectors use.</summary>
internal sealed class ContractBinder : IInvocationBinder
{
    public Dictionary<string, Type> ReturnTypes { get; } = new() { ["c3"] = typeof(AcceptedResult) };

    public Dictionary<string, Type> StreamItemTypes { get; } = new() { ["s1"] = typeof(string) };

    public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName switch
    {
        "start_run" => [typeof(StartRunRequest)],
        "cancel_model" => [typeof(CancelModelRequest)],
        "cancel_run" => [typeof(CancelRunRequest)],
        "resume_run" => [typeof(ResumeRunRequest)],
        "list_models" or "stream" => [],
        "method" => [typeof(int), typeof(string), typeof(string), typeof(bool), typeof(double)],
        "token" => [typeof(TokenEvent)], // A server-to-client method, to read back what the server writes.
        // What SignalR's own binder throws, which ReadableBindingErrorsProtocol recognises.
        _ => throw new HubException("Method does not exist."),
    };

    public Type GetReturnType(string invocationId) =>
        ReturnTypes.TryGetValue(invocationId, out var type) ? type : throw new InvalidOperationException($"No invocation '{invocationId}'.");

    public Type GetStreamItemType(string streamId) =>
        StreamItemTypes.TryGetValue(streamId, out var type) ? type : throw new KeyNotFoundException($"No stream '{streamId}'.");
}
