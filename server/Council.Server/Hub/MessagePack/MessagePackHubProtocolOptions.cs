namespace Council.Server.Hub.MessagePack;

/// <summary>Limits the MessagePack hub protocol puts on what a client sends.</summary>
public sealed class MessagePackHubProtocolOptions
{
    /// <summary>
    /// Largest message accepted, in bytes (the hub's <c>MaximumReceiveMessageSize</c>): a frame that declares
    /// more is a protocol error at once, before its bytes arrive.
    /// </summary>
    public int MaximumMessageSize { get; init; } = 64 * 1024;

    /// <summary>Deepest nesting of arrays and maps in a message, the message's own array included.</summary>
    public int MaximumDepth { get; init; } = 64;
}
