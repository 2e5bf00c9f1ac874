using System.Text.Json.Serialization;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>Source-generated JSON for the OpenAI chat-completions wire format (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(WireError))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(string))]
public sealed partial class OpenAiJsonContext : JsonSerializerContext;
