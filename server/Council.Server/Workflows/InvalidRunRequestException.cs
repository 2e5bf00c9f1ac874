namespace Council.Server.Workflows;

/// <summary>Input a person can fix: the message says what to change. Sent to the client as is.</summary>
public sealed class InvalidRunRequestException : Exception
{
    public InvalidRunRequestException(string message) : base(message) { }

    public InvalidRunRequestException() { }

    public InvalidRunRequestException(string message, Exception inner) : base(message, inner) { }
}
