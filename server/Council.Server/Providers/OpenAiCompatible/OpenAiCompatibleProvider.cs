using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// A provider that speaks the OpenAI chat-completions API (OpenRouter, OpenAI, Ollama, vLLM, LM Studio,
/// llama.cpp server, LiteLLM, Council's own <c>/v1</c>). One instance per <c>Council:Providers:&lt;name&gt;</c>;
/// it serves model ids <c>&lt;name&gt;/&lt;upstream model&gt;</c>, e.g. <c>openrouter/anthropic/claude-sonnet-4</c>.
/// </summary>
public sealed class OpenAiCompatibleProvider : ILlmProvider
{
    private readonly IOptionsMonitor<OpenAiProviderOptions> _options;
    private readonly IOptions<CouncilOptions> _council;
    private readonly IHttpClientFactory _httpClients;
    private readonly ITypedHttpClientFactory<OpenAiChatClient> _chatClients;
    private readonly IConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OpenAiCompatibleProvider(
        string name,
        IOptionsMonitor<OpenAiProviderOptions> options,
        IOptions<CouncilOptions> council,
        IHttpClientFactory httpClients,
        ITypedHttpClientFactory<OpenAiChatClient> chatClients,
        IConfiguration configuration,
        TimeProvider time,
        ILogger<OpenAiCompatibleProvider> logger)
    {
        Name = name;
        _options = options;
        _council = council;
        _httpClients = httpClients;
        _chatClients = chatClients;
        _configuration = configuration;
        _time = time;
        _logger = logger;

        var o = options.Get(name);
        if (o.IsMissingKey(configuration))
        {
            logger.ProviderMissingKey(name, o.ApiKeyEnv!);
        }
        else if (logger.IsEnabled(LogLevel.Information))
        {
            logger.ProviderConfigured(name, SafeEndpoint(o), o.Models.Count);
        }
    }

    /// <summary>The name of the named <see cref="HttpClient"/> of provider <paramref name="provider"/>.</summary>
    public static string HttpClientName(string provider) => $"Council.Providers.{provider}";

    public string Name { get; }

    private string Prefix => Name + "/";

    /// <summary>Whether the provider needs a key that is not set: it then advertises nothing, and calls fail saying so.</summary>
    public bool IsMissingKey => _options.Get(Name).IsMissingKey(_configuration);

    public IReadOnlyList<ModelInfo> ListModels()
    {
        if (IsMissingKey)
        {
            return [];
        }
        var council = _council.Value;
        return _options.Get(Name).Models.Select(m => Prefix + m)
            .Concat(council.DefaultModels).Append(council.Chairman).Concat(council.FallbackChairmen)
            .Where(Serves).Distinct(StringComparer.Ordinal)
            .Select(id => new ModelInfo(id, Name)).ToArray();
    }

    public bool Serves(string modelId)
    {
        if (!modelId.StartsWith(Prefix, StringComparison.Ordinal) || modelId.Length == Prefix.Length)
        {
            return false;
        }
        var o = _options.Get(Name);
        if (o.AllowUnlistedModels)
        {
            return true;
        }
        var upstream = modelId[Prefix.Length..];
        var council = _council.Value;
        return o.Models.Contains(upstream, StringComparer.Ordinal)
            || council.DefaultModels.Append(council.Chairman).Concat(council.FallbackChairmen).Contains(modelId, StringComparer.Ordinal);
    }

    public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Serves(request.Model))
        {
            throw new ProviderException($"'{request.Model}' is not a model of provider '{Name}'", "invalid_model");
        }
        var o = _options.Get(Name);
        var key = o.ResolveApiKey(_configuration);
        if (key is null && o.IsMissingKey(_configuration))
        {
            throw new ProviderException(
                $"provider '{Name}' has no API key: set the {o.ApiKeyEnv} environment variable (or {OpenAiProviderOptions.Section}:{Name}:ApiKey in user secrets)",
                "missing_api_key");
        }

        var call = new OpenAiChatCall(
            Name,
            new Uri(o.BaseUrl.TrimEnd('/') + "/chat/completions"),
            request.Model[Prefix.Length..],
            request.Messages,
            key,
            o);
        var http = _httpClients.CreateClient(HttpClientName(Name));
        http.BaseAddress = new Uri(o.BaseUrl.TrimEnd('/'));
        var client = _chatClients.CreateClient(http);
        await foreach (var chunk in client.StreamAsync(call, cancellationToken))
        {
            yield return chunk;
        }
    }

    /// <summary>Scheme, host and path only: never user info or a query.</summary>
    private static string SafeEndpoint(OpenAiProviderOptions options) =>
        Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : "(invalid BaseUrl)";
}
