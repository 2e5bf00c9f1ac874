namespace Council.Server.Providers;

/// <summary>A provider-side failure, with the provider's own message, shown on the model it hit.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(string message, string? code = null, Exception? inner = null)
        : base(message, inner) => Code = code;

    public ProviderException() : this("provider error") { }

    public ProviderException(string message) : this(message, null, null) { }

    public ProviderException(string message, Exception inner) : this(message, null, inner) { }

    /// <summary>The provider's error code or HTTP status, when it gave one.</summary>
    public string? Code { get; }
}
